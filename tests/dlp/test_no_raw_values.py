"""No raw value leaves DLP: not in a Finding, its dict, a repr, a log line or an error."""

from __future__ import annotations

import json
import logging

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.fingerprint import Fingerprinter, load_salt, preview
from warden.dlp.redactor import redact
from warden.dlp.scanner import Scanner
from warden.dlp.types import RedactionSpec, RedactionStyle
from warden.schemas import parse_request

KEYS = FakeKeys(41)
SECRETS = [KEYS.openai(), KEYS.github(), KEYS.stripe(), KEYS.private_key()]
PII = ["ana.lima@example.com", "536-22-8726", "4539 1488 0343 6467"]


def _text() -> str:
    return "Please check: " + " | ".join(SECRETS + PII) + ". Thanks, Ana Lima."


def _leaks(blob: str) -> list[str]:
    values = SECRETS + PII
    # A value must not appear whole, nor any 12-character piece of a long one.
    pieces = {
        v[i : i + 12] for v in values for i in range(0, max(1, len(v) - 11), 6) if len(v) > 12
    }
    return [p for p in (*values, *pieces) if p in blob]


def test_findings_reprs_and_dicts_hold_no_values(
    scanner: Scanner, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    result = scanner.scan_texts([(("messages", 0, "content"), _text())])
    assert len(result.findings) >= len(SECRETS) + len(PII)
    rendered = [repr(result), json.dumps(result.to_dict())]
    rendered += [repr(f) for f in result.findings] + [str(f.to_dict()) for f in result.findings]
    assert not _leaks("\n".join(rendered))
    assert not _leaks(caplog.text)


def test_previews_show_a_few_characters_only():
    assert preview("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789aB") == "sk-pr...9aB"
    assert preview("536-22-8726") == "53...6"
    assert preview("Ana") == "***"
    assert "\n" not in preview("-----BEGIN KEY-----\nabc\n-----END KEY-----")


def test_hashes_are_salted_and_stable_within_a_deployment(tmp_path):
    salt = load_salt(tmp_path)
    assert load_salt(tmp_path) == salt
    assert (tmp_path / "dlp-salt").stat().st_mode & 0o777 == 0o600
    one, other = Fingerprinter(salt), Fingerprinter(b"another deployment")
    assert one.hash("x") == Fingerprinter(salt).hash("x") != other.hash("x")
    assert "x" not in repr(one) and salt.hex() not in repr(one)


def test_redaction_results_and_restore_maps_hold_no_values_in_reprs(scanner: Scanner):
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": _text()}]}).encode()
    request = parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    found = scanner.scan(request).findings
    spec = RedactionSpec(frozenset({"ALL"}), RedactionStyle.PLACEHOLDER, reversible=True)
    result = redact(body, request, found, [spec])
    assert not _leaks(result.body.decode())
    assert not _leaks(repr(result) + repr(result.restore) + json.dumps(result.summary()))
