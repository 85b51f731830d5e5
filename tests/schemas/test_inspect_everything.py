"""Every string that leaves is a segment unless it is a known identifier in its strict shape."""

from __future__ import annotations

import json

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.errors import MalformedBody
from warden.schemas import parse_request
from warden.schemas.envelope import masked_target, read_envelope, rewrite_target
from warden.schemas.identifiers import ValueKind, is_plain_key, looks_random, value_kind
from warden.schemas.normalized import Channel, KeyOf, render_path

KEYS = FakeKeys(13)
KEY = KEYS.openai()


def _everything(body: dict, path: str = "/v1/chat/completions", schema: str = "openai"):
    request = parse_request(
        schema, schema, "POST", path, "application/json", json.dumps(body).encode()
    )
    return {s.path: s.text for s in request.all_segments()}


@pytest.mark.parametrize(
    ("where", "body"),
    [
        (
            "tool description",
            {"tools": [{"type": "function", "function": {"name": "f", "description": KEY}}]},
        ),
        ("prediction", {"prediction": {"type": "content", "content": KEY}}),
        ("message name", {"messages": [{"role": "user", "content": "hi", "name": KEY}]}),
        ("user", {"user": KEY}),
        ("model", {"model": KEY}),
        ("metadata key", {"metadata": {KEY: "x"}}),
        ("metadata value", {"metadata": {"note": KEY}}),
        ("id", {"id": KEY}),
        ("type", {"messages": [{"role": "user", "content": "hi", "type": KEY}]}),
        ("deep list", {"a": [[{"b": [KEY]}]]}),
    ],
)
def test_a_key_anywhere_in_the_body_is_a_segment(where: str, body: dict) -> None:
    assert any(KEY in text for text in _everything(body).values()), where


def test_identifiers_in_their_shape_are_scanned_for_patterns_only() -> None:
    body = {
        "model": "gpt-4o-mini-2024-07-18",
        "messages": [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_abc123XYZ",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_abc123XYZ", "content": "42"},
        ],
        "response_format": {"type": "json_object"},
    }
    request = parse_request(
        "openai", "openai", "POST", "/v1/chat/completions", None, json.dumps(body).encode()
    )
    found = {s.path: s for s in request.all_segments()}
    assert not found[("model",)].prose and not found[("messages", 0, "tool_calls", 0, "id")].prose
    assert "json_object" not in {s.text for s in found.values()}  # a plain word: harmless
    assert found[("messages", 1, "content")].prose
    assert found[("messages", 0, "tool_calls", 0, "function", "name")].text == "lookup"


HARMLESS, IDENT, TEXT = ValueKind.HARMLESS, ValueKind.IDENTIFIER, ValueKind.TEXT


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("model", "claude-3-5-sonnet-20241022", IDENT),
        ("model", "models/gemini-2.0-flash", IDENT),
        ("model", "@cf/meta/llama-3.1-8b-instruct", IDENT),
        ("model", "claude-3-5-sonnet-v2@20241022", IDENT),
        ("model", "ft:gpt-4o-mini-2024-07-18:acme::AbC12345", IDENT),
        ("model", "dana@example.com", TEXT),
        ("model", "dana.whitfield@1example.com", TEXT),
        ("model", "postgres://admin:S3cr3tpw@10.0.0.5/db", TEXT),
        ("model", "AKIAIOSFODNN7EXAMPLE", TEXT),
        ("model", "+1-415-555-0132", TEXT),
        ("id", "toolu_01A09q90qw90lq917835lq9", IDENT),
        ("id", "0b7d2c1e-8f3a-4e6b-9c2d-1a2b3c4d5e6f", IDENT),
        ("id", "ghp_" + "a1B2" * 9, TEXT),
        ("id", "file-sk-proj-abc", TEXT),
        ("tool_call_id", "call_abc123", IDENT),
        ("type", "input_text", HARMLESS),
        ("detail", "536-22-1234", IDENT),  # scanned for patterns: an SSN is found there
        ("version", "2023-06-01", IDENT),
        ("type", "3f9a2b7c1d4e5f60718293a4b5c6d7e8", TEXT),
        ("content", "hello", TEXT),
    ],
)
def test_identifier_shapes(key: str, value: str, kind: ValueKind) -> None:
    assert value_kind(key, value) is kind


def test_plain_keys_and_random_ones() -> None:
    assert is_plain_key("additionalProperties") and is_plain_key("max_tokens")
    assert is_plain_key("x-stainless-os")
    assert not is_plain_key(KEY) and not is_plain_key("John Smith") and not is_plain_key("a@b.c")
    assert looks_random("AKIAIOSFODNN7EXAMPLE") and not looks_random("functionDeclarations")


def test_a_secret_used_as_a_key_is_masked_in_rendered_paths() -> None:
    path = ("metadata", KeyOf(KEY))
    assert KEY not in render_path(path)
    assert KEY not in render_path(("metadata", KEY, "x"))
    assert render_path(("messages", 0, "content")) == "messages[0].content"


def test_a_lone_surrogate_is_malformed_but_a_pair_is_text() -> None:
    with pytest.raises(MalformedBody, match="surrogate"):
        parse_request(
            "openai",
            "openai",
            "POST",
            "/v1/chat/completions",
            None,
            b'{"messages": [{"role": "user", "content": "a\\ud800b"}]}',
        )
    ok = parse_request(
        "openai",
        "openai",
        "POST",
        "/v1/chat/completions",
        None,
        b'{"messages": [{"role": "user", "content": "\\ud83d\\ude00"}]}',
    )
    assert ok.segments[0].text == "\U0001f600"


def test_query_path_and_headers_are_segments_and_credentials_only_for_foreign_keys() -> None:
    segments = read_envelope(
        "/v1/files/abc/content?api_key=" + KEY + "&n=1",
        [("Authorization", "Bearer " + KEY), ("X-Debug-Note", "key " + KEY), ("Host", "x")],
        "openai",
    )
    texts = {s.path: s for s in segments}
    assert texts[(Channel.QUERY, 0, "api_key")].text == "api_key=" + KEY
    assert texts[(Channel.HEADER, 1, "x-debug-note")].text == "key " + KEY
    header = texts[(Channel.HEADER, 1, "x-debug-note")]
    assert not header.redactable and not header.prose
    credential = texts[(Channel.HEADER, 0, "authorization")]
    assert "OPENAI_API_KEY" in credential.ignore and "GITHUB_TOKEN" not in credential.ignore
    assert not any(s.path[-1] == "host" for s in segments)


def test_query_rewrite_touches_only_the_finding_and_keeps_encoding() -> None:
    target = "/v1/x?a=%2Fkeep%2F&secret=pre+" + KEY + "&z=1"
    [piece] = [s for s in read_envelope(target, []) if s.path[:2] == (Channel.QUERY, 1)]
    start = piece.text.index(KEY)
    edits = {piece.path: [(start, start + len(KEY), "[REDACTED:OPENAI_API_KEY]")]}
    assert rewrite_target(target, edits) == (
        "/v1/x?a=%2Fkeep%2F&secret=pre+%5BREDACTED%3AOPENAI_API_KEY%5D&z=1"
    )
    masked = masked_target(target, [(piece.path, start, start + len(KEY), "OPENAI_API_KEY")])
    assert KEY not in masked and "%2Fkeep%2F" in masked


def test_percent_encoded_query_values_are_scanned_decoded() -> None:
    encoded = "".join(f"%{b:02X}" for b in KEY.encode())
    [piece] = [s for s in read_envelope(f"/x?k={encoded}", []) if s.path[0] is Channel.QUERY]
    assert piece.text == "k=" + KEY
    start = piece.text.index(KEY)
    assert (
        rewrite_target(f"/x?k={encoded}", {piece.path: [(start, len(piece.text), "M")]}) == "/x?k=M"
    )


def test_a_base64_image_is_media_and_base64_text_is_read() -> None:
    import base64

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).decode()
    text = base64.b64encode(f"config: {KEY}\n".encode() * 4).decode()
    body = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}},
                    {"type": "file", "file": {"file_data": f"data:text/plain;base64,{text}"}},
                ],
            }
        ]
    }
    request = parse_request(
        "openai", "openai", "POST", "/v1/chat/completions", None, json.dumps(body).encode()
    )
    texts = [s for s in request.all_segments() if KEY in s.text]
    assert texts and not texts[0].redactable
    assert not any(png[:100] in s.text for s in request.all_segments())
    assert not request.unreadable


def test_credential_parameters_are_never_recorded() -> None:
    google = "AIza" + "Sy" + "B" * 33
    target = f"/v1beta/models/gemini-2.0-flash:generateContent?alt=sse&key={google}"
    assert masked_target(target, []) == (
        "/v1beta/models/gemini-2.0-flash:generateContent?alt=sse&key=[credential]"
    )
