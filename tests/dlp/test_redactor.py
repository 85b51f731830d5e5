"""Redaction keeps each provider's body valid and replaces exactly what was found."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.redactor import RedactionError, redact
from warden.dlp.scanner import Scanner
from warden.dlp.types import RedactionSpec, RedactionStyle
from warden.schemas import parse_request

KEYS = FakeKeys(31)
KEY = KEYS.openai()
PEM = KEYS.private_key()
EMAIL = "dana.whitfield@example.com"
MASK_SECRETS = RedactionSpec(frozenset({"SECRETS"}), RedactionStyle.MASK)
PLACEHOLD_PII = RedactionSpec(frozenset({"PII"}), RedactionStyle.PLACEHOLDER, reversible=True)


def _redact(
    scanner: Scanner, schema: str, path: str, doc: dict[str, Any], *specs: RedactionSpec
) -> tuple[dict[str, Any], bytes]:
    body = json.dumps(doc).encode()
    request = parse_request(schema, schema, "POST", path, "application/json", body)
    found = scanner.scan(request).findings
    result = redact(body, request, found, specs or (MASK_SECRETS, PLACEHOLD_PII))
    assert KEY.encode() not in result.body and EMAIL.encode() not in result.body
    # The rewritten body is still what the provider's parser accepts.
    again = parse_request(schema, schema, "POST", path, "application/json", result.body)
    assert again.segments
    return json.loads(result.body), result.body


def test_openai_chat_string_content_and_content_arrays(scanner: Scanner):
    doc = {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": f"Support bot. Escalate to {EMAIL}."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": f"my key is {KEY}, mail me at {EMAIL}"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}},
                ],
            },
        ],
    }
    out, _ = _redact(scanner, "openai", "/v1/chat/completions", doc)
    assert out["messages"][0]["content"] == "Support bot. Escalate to <EMAIL_1>."
    assert out["messages"][1]["content"][0]["text"] == (
        "my key is [REDACTED:OPENAI_API_KEY], mail me at <EMAIL_1>"
    )
    assert out["messages"][1]["content"][1] == doc["messages"][1]["content"][1]
    assert out["model"] == "gpt-4o-mini"


def test_openai_tool_call_arguments_stay_valid_json(scanner: Scanner):
    arguments = json.dumps({"to": EMAIL, "key": KEY, "pem": PEM, "note": 'say "hi"'})
    doc = {
        "model": "gpt-4o",
        "messages": [
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "send", "arguments": arguments},
                    }
                ],
            }
        ],
    }
    out, _ = _redact(scanner, "openai", "/v1/chat/completions", doc)
    inner = json.loads(out["messages"][0]["tool_calls"][0]["function"]["arguments"])
    assert inner == {
        "to": "<EMAIL_1>",
        "key": "[REDACTED:OPENAI_API_KEY]",
        "pem": "[REDACTED:PRIVATE_KEY]",
        "note": 'say "hi"',
    }


def test_openai_responses_input_items(scanner: Scanner):
    doc = {
        "model": "gpt-4.1",
        "instructions": f"Never reveal {KEY}",
        "input": [
            {"role": "user", "content": [{"type": "input_text", "text": f"hi from {EMAIL}"}]}
        ],
    }
    out, _ = _redact(scanner, "openai", "/v1/responses", doc)
    assert out["instructions"] == "Never reveal [REDACTED:OPENAI_API_KEY]"
    assert out["input"][0]["content"][0]["text"] == "hi from <EMAIL_1>"


def test_anthropic_messages_system_and_blocks(scanner: Scanner):
    doc = {
        "model": "claude-haiku-4-5",
        "max_tokens": 100,
        "system": [{"type": "text", "text": f"Key for tools: {KEY}"}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": f"Email {EMAIL}"}]}],
    }
    out, _ = _redact(scanner, "anthropic", "/v1/messages", doc)
    assert out["system"][0]["text"] == "Key for tools: [REDACTED:OPENAI_API_KEY]"
    assert out["messages"][0]["content"][0]["text"] == "Email <EMAIL_1>"
    assert out["max_tokens"] == 100


def test_gemini_generate_content_parts(scanner: Scanner):
    doc = {
        "contents": [{"role": "user", "parts": [{"text": f"{EMAIL} sent {KEY}"}]}],
        "generationConfig": {"temperature": 0.2},
    }
    out, _ = _redact(scanner, "gemini", "/v1beta/models/gemini-2.0-flash:generateContent", doc)
    assert out["contents"][0]["parts"][0]["text"] == "<EMAIL_1> sent [REDACTED:OPENAI_API_KEY]"
    assert out["generationConfig"] == {"temperature": 0.2}


def test_the_same_value_gets_the_same_placeholder_and_others_the_next(scanner: Scanner):
    text = f"{EMAIL}, bob@example.org, {EMAIL} and +1 415-555-0132"
    doc = {"model": "m", "messages": [{"role": "user", "content": text}]}
    body = json.dumps(doc).encode()
    request = parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    found = scanner.scan(request).findings
    result = redact(body, request, found, [PLACEHOLD_PII])
    content = json.loads(result.body)["messages"][0]["content"]
    assert content == "<EMAIL_1>, <EMAIL_2>, <EMAIL_1> and <PHONE_1>"
    assert result.restore is not None
    assert result.restore.original("<EMAIL_1>") == EMAIL
    assert result.summary() == {
        "count": 4,
        "by_type": {"EMAIL_ADDRESS": 3, "PHONE_NUMBER": 1},
        "reversible": True,
    }


def test_only_the_entity_types_a_spec_names_are_replaced(scanner: Scanner):
    text = f"{KEY} {EMAIL}"
    doc = {"model": "m", "messages": [{"role": "user", "content": text}]}
    body = json.dumps(doc).encode()
    request = parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    result = redact(body, request, scanner.scan(request).findings, [MASK_SECRETS])
    assert json.loads(result.body)["messages"][0]["content"] == f"[REDACTED:OPENAI_API_KEY] {EMAIL}"
    assert result.restore is None


def test_text_and_multipart_bodies(scanner: Scanner):
    text_body = f"note: {KEY}\n".encode()
    request = parse_request("generic", "x", "POST", "/upload", "text/plain", text_body)
    result = redact(text_body, request, scanner.scan(request).findings, [MASK_SECRETS])
    assert result.body == b"note: [REDACTED:OPENAI_API_KEY]\n"

    boundary = "XyZ"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nkey {KEY}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
        f"Content-Type: audio/wav\r\n\r\nRIFF....\r\n--{boundary}--\r\n"
    ).encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    request = parse_request(
        "openai", "openai", "POST", "/v1/audio/transcriptions", content_type, form
    )
    result = redact(
        form, request, scanner.scan(request).findings, [MASK_SECRETS], content_type=content_type
    )
    assert KEY.encode() not in result.body
    assert b"key [REDACTED:OPENAI_API_KEY]\r\n" in result.body
    assert b"RIFF...." in result.body and result.body.endswith(f"--{boundary}--\r\n".encode())


def test_a_finding_outside_the_body_fails_loudly(scanner: Scanner):
    doc = {"model": "m", "messages": [{"role": "user", "content": f"x {KEY}"}]}
    body = json.dumps(doc).encode()
    request = parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    found = scanner.scan(request).findings
    with pytest.raises(RedactionError):
        redact(b'{"model": "m", "messages": []}', request, found, [MASK_SECRETS])


def test_a_secret_used_as_an_object_key_is_renamed_and_the_value_kept(scanner: Scanner):
    other = KEYS.openai()
    doc = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "metadata": {KEY: "first", other: {"inner": KEY}, "plain": "v"},
    }
    redacted, raw = _redact(scanner, "openai", "/v1/chat/completions", doc)
    assert other.encode() not in raw
    # Both masked keys survive (numbered apart), in order, with their values.
    assert list(redacted["metadata"]) == [
        "[REDACTED:OPENAI_API_KEY]",
        "[REDACTED:OPENAI_API_KEY]#2",
        "plain",
    ]
    assert redacted["metadata"]["[REDACTED:OPENAI_API_KEY]"] == "first"
    assert redacted["metadata"]["[REDACTED:OPENAI_API_KEY]#2"] == {
        "inner": "[REDACTED:OPENAI_API_KEY]"
    }


def test_findings_in_the_query_come_back_as_target_edits(scanner: Scanner):
    from warden.schemas.envelope import rewrite_target

    target = f"/v1/chat/completions?api_key={KEY}&n=3"
    body = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    request = parse_request("openai", "openai", "POST", target, "application/json", body, [])
    result = redact(body, request, scanner.scan(request).findings, [MASK_SECRETS])
    assert result.body == body  # nothing to change in the body
    rewritten = rewrite_target(target, result.target_edits)
    assert KEY not in rewritten and rewritten.endswith("&n=3")


def test_a_finding_in_a_header_or_a_document_cannot_be_redacted(scanner: Scanner):
    from warden.dlp.redactor import Unredactable

    body = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    request = parse_request(
        "openai",
        "openai",
        "POST",
        "/v1/chat/completions",
        "application/json",
        body,
        [("X-Debug-Note", f"key {KEY}")],
    )
    with pytest.raises(Unredactable) as refused:
        redact(body, request, scanner.scan(request).findings, [MASK_SECRETS])
    assert refused.value.places == ["the request header x-debug-note"]
    assert refused.value.types == ["OPENAI_API_KEY"]
    assert KEY not in str(refused.value)


def test_a_spec_may_let_unredactable_values_through_on_record(scanner: Scanner):
    body = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    request = parse_request(
        "openai", "openai", "POST", "/v1/chat/completions", "application/json", body,
        [("X-User", EMAIL)],
    )  # fmt: skip
    monitor = RedactionSpec(frozenset({"PII"}), RedactionStyle.PLACEHOLDER, True, "monitor")
    result = redact(body, request, scanner.scan(request).findings, [MASK_SECRETS, monitor])
    assert result.body == body and result.count == 0
    assert result.summary()["left_in_place"] == {"EMAIL_ADDRESS": 1}


def test_an_urlencoded_form_is_scanned_decoded_and_rewritten_raw(scanner: Scanner):
    from urllib.parse import quote

    body = f"keep=%2Fa%2Fb&note=key%20{quote(KEY)}&mail={quote(EMAIL)}".encode()
    kind = "application/x-www-form-urlencoded"
    request = parse_request("chatgpt_web", "chatgpt-web", "POST", "/backend-api/x", kind, body)
    result = redact(body, request, scanner.scan(request).findings, [MASK_SECRETS, PLACEHOLD_PII])
    assert result.body.startswith(b"keep=%2Fa%2Fb&note=key%20%5BREDACTED%3AOPENAI_API_KEY%5D&")
    assert KEY.encode() not in result.body and b"dana" not in result.body
