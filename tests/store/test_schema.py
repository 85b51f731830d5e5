"""The event schema, the event record, and what is captured of prompts and findings."""

from __future__ import annotations

from dataclasses import fields

from warden.dlp.types import Finding, ScanResult
from warden.schemas.normalized import Segment
from warden.store.capture import CAPTURE_LIMIT, capture
from warden.store.event import EVENT_FIELDS, AuditEvent, coerce_row, to_row
from warden.store.findings import MAX_ITEMS, summarize_findings
from warden.store.schema import COLUMN_NAMES


def test_the_event_record_has_exactly_the_tables_columns():
    assert sorted(["seq", *(f.name for f in fields(AuditEvent))]) == sorted(COLUMN_NAMES)
    assert COLUMN_NAMES[1:] == EVENT_FIELDS  # rows are built in table order


def test_issue_fields_are_all_columns():
    wanted = {
        "time", "id", "user", "groups", "client_ip", "provider", "app", "host", "method",
        "path", "endpoint", "model", "stream", "status", "latency_ms", "ttfb_ms",
        "request_bytes", "response_bytes", "rule_id", "action", "reason", "quota",
        "findings", "alert_ids", "input_tokens", "output_tokens", "cached_tokens",
        "cost_usd", "price_version", "usage_source", "token_encoding", "prompt_text",
        "response_text", "type",
    }  # fmt: skip
    assert wanted <= set(COLUMN_NAMES)


def test_rows_serialise_json_columns_and_time_in_microseconds():
    row = to_row(7, AuditEvent(type="request", time=1.5, decision={"action": "allow"}))
    named = dict(zip(COLUMN_NAMES, row, strict=True))
    assert named["seq"] == 7
    assert named["time"] == 1_500_000
    assert named["decision"] == '{"action":"allow"}'


def test_nan_in_a_json_column_still_gives_valid_json():
    row = to_row(1, AuditEvent(type="request", details={"x": float("nan")}))
    assert dict(zip(COLUMN_NAMES, row, strict=True))["details"].startswith('"')


def test_odd_values_are_coerced_to_their_column_type():
    row = to_row(1, AuditEvent(type="request", status="200", groups=("a",), blocked=1))  # type: ignore[arg-type]
    named = dict(zip(COLUMN_NAMES, coerce_row(row), strict=True))
    assert (named["status"], named["groups"], named["blocked"]) == (200, ["a"], True)


SEGMENTS = [Segment(("messages", 0, "content"), "my key is sk-live-123", "user")]
REDACTED = [Segment(("messages", 0, "content"), "my key is [REDACTED:API_KEY]", "user")]


def test_capture_modes():
    kwargs = {"original": SEGMENTS, "sent": REDACTED, "response": "ok"}
    assert capture("none", **kwargs).prompt is None
    assert capture("redacted", **kwargs).prompt == "[user] my key is [REDACTED:API_KEY]"
    assert capture("full", **kwargs).prompt == "[user] my key is sk-live-123"
    assert capture("redacted", **kwargs).response == "ok"


def test_nothing_is_captured_in_redacted_mode_when_nothing_left():
    captured = capture("redacted", original=SEGMENTS, sent=None, response=None)
    assert (captured.prompt, captured.response) == (None, None)


def test_captured_text_is_bounded_and_says_so():
    long = [Segment(("prompt",), "x" * (CAPTURE_LIMIT + 10))]
    captured = capture("full", original=long, sent=None, response="y", response_truncated=True)
    assert len(captured.prompt or "") == CAPTURE_LIMIT
    assert captured.prompt_truncated is True
    assert captured.response_truncated is True


def test_findings_summary_has_types_counts_and_masked_previews_only():
    finding = Finding(
        "OPENAI_API_KEY", ("messages", 0, "content"), 10, 30, 0.99, "h1", "sk-li...123"
    )
    scan = ScanResult(findings=(finding,) * (MAX_ITEMS + 1))
    summary = summarize_findings(scan)
    assert (summary.count, summary.types) == (MAX_ITEMS + 1, ["OPENAI_API_KEY"])
    assert summary.detail is not None
    assert summary.detail["counts"] == {"OPENAI_API_KEY": MAX_ITEMS + 1}
    item = summary.detail["items"][0]
    assert item == {
        "type": "OPENAI_API_KEY",
        "path": "messages[0].content",
        "preview": "sk-li...123",
        "score": 0.99,
        "hash": "h1",
    }
    assert summary.detail["items_truncated"] is True
    assert summarize_findings(None).detail is None
