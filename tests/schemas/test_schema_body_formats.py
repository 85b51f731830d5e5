from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warden.errors import MalformedBody
from warden.schemas import EndpointKind, Segment, parse_request
from warden.schemas.attachments import count_json_attachments, may_hold_attachments
from warden.schemas.jsonbody import load_json

BOUNDARY = "----WardenBoundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def form(*parts: tuple[str, str | None, str | None, bytes]) -> bytes:
    """Build a multipart body from (name, filename, content type, data) the way clients do."""
    out = b""
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if content_type:
            out += f"Content-Type: {content_type}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def texts(request) -> list[tuple[tuple[str | int, ...], str]]:
    return [(s.path, s.text) for s in request.segments]


def test_a_transcription_form_yields_its_text_fields_model_and_stream_flag() -> None:
    body = form(
        ("file", "meeting.mp3", "audio/mpeg", b"ID3\x04\x00\x00\x00\x00\x00\x10\xff\xfb\x90\x00"),
        ("model", None, None, b"gpt-4o-transcribe"),
        ("prompt", None, None, "Names: Dr. Müller, ACME Corp".encode()),
        ("language", None, None, b"de"),
        ("stream", None, None, b"true"),
        ("binary_field", None, None, b"\xff\xfe\x00"),
    )
    request = parse_request("openai", "openai", "POST", "/v1/audio/transcriptions", MULTIPART, body)
    assert (request.schema, request.endpoint) == ("openai.audio", EndpointKind.AUDIO)
    assert request.body_format == "multipart"
    assert request.model == "gpt-4o-transcribe"
    assert request.stream is True
    # "de" fits the shape of a language code, so it is not text anyone wrote; a field that is
    # not text at all is not skipped either: it is on record as unreadable.
    assert texts(request) == [(("form", "prompt"), "Names: Dr. Müller, ACME Corp")]
    assert request.unreadable == ["form field 'binary_field' (binary data)"]


def test_a_file_upload_form_yields_text_files_and_skips_binary_ones() -> None:
    jsonl = b'{"custom_id": "1", "body": {"messages": [{"role": "user", "content": "hi"}]}}\n'
    body = form(
        ("purpose", None, None, b"batch"),
        ("file", "batch.jsonl", "application/jsonl", jsonl),
        ("notes", "notes.md", "application/octet-stream", b"# Secret plan\n"),
        ("image", "logo.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("csv", "data.bin", "text/csv", "\ufeffname,salary\nbob,1".encode()),
    )
    request = parse_request("openai", "openai", "POST", "/v1/files", MULTIPART, body)
    assert (request.schema, request.endpoint) == ("openai.files", EndpointKind.FILE_UPLOAD)
    assert request.body_format == "multipart"
    assert request.model is None
    assert texts(request) == [
        (("form", "purpose"), "batch"),
        (("form", "file", "file"), jsonl.decode()),
        (("form", "notes", "file"), "# Secret plan\n"),
        (("form", "csv", "file"), "name,salary\nbob,1"),
    ]


def test_a_form_with_a_quoted_boundary_and_a_preamble_parses() -> None:
    body = b"preamble to ignore\r\n" + form(("prompt", None, None, b"a red fox"))
    content_type = f'multipart/form-data; charset=utf-8; boundary="{BOUNDARY}"'
    request = parse_request("openai", "openai", "POST", "/v1/images/edits", content_type, body)
    assert (request.endpoint, texts(request)) == (
        EndpointKind.IMAGE,
        [(("form", "prompt"), "a red fox")],
    )


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("multipart/form-data", form(("a", None, None, b"x")), "no boundary"),
        (MULTIPART, b"no delimiters here at all", "does not contain its boundary"),
        (
            MULTIPART,
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\r\n\r\nx".encode(),
            "ends before its closing boundary",
        ),
        ("multipart/form-data; boundary=" + "b" * 71, b"--", "invalid boundary"),
    ],
)
def test_a_broken_form_is_malformed(content_type: str, body: bytes, message: str) -> None:
    with pytest.raises(MalformedBody, match=message):
        parse_request("openai", "openai", "POST", "/v1/files", content_type, body)


@pytest.mark.parametrize("method", ["GET", "DELETE", "HEAD"])
def test_an_empty_body_is_routed_by_its_path_alone(method: str) -> None:
    request = parse_request("openai", "openai", method, "/v1/models/gpt-4o", None, b"")
    assert (request.schema, request.endpoint, request.body_format) == (
        "openai.models",
        EndpointKind.OTHER,
        "empty",
    )
    assert request.segments == []


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
        "application/vnd.api+json",
    ],
)
def test_a_json_endpoint_reads_json_whatever_content_type_is_declared(
    content_type: str | None,
) -> None:
    body = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}'
    request = parse_request("openai", "openai", "POST", "/v1/chat/completions", content_type, body)
    assert request.body_format == "json"
    assert texts(request) == [(("messages", 0, "content"), "hi")]


def test_a_json_endpoint_refuses_a_body_that_is_not_json() -> None:
    with pytest.raises(MalformedBody, match="not valid JSON"):
        parse_request(
            "openai", "openai", "POST", "/v1/chat/completions", "text/plain", b"hello there"
        )


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/plain", b"Summarise: Q3 revenue", "Summarise: Q3 revenue"),
        ("text/markdown; charset=utf-8", "# Título".encode(), "# Título"),
        ("text/plain; charset=iso-8859-1", "Café".encode("latin-1"), "Café"),
    ],
)
def test_a_text_body_is_one_segment(content_type: str, body: bytes, expected: str) -> None:
    request = parse_request("generic", "x", "POST", "/v1/run", content_type, body)
    assert request.body_format == "text"
    assert texts(request) == [(("body",), expected)]


def test_a_text_body_in_a_broken_charset_is_malformed() -> None:
    with pytest.raises(MalformedBody, match="not valid utf-8 text"):
        parse_request("generic", "x", "POST", "/v1/run", "text/plain", b"\xff\xfe bad")


@pytest.mark.parametrize(
    ("family", "path", "content_type"),
    [
        ("generic", "/v1/run", "application/octet-stream"),
        ("openai", "/v1/files", "image/png"),
        ("openai", "/v1/uploads/upload_abc/parts", "application/octet-stream"),
        ("gemini", "/upload/v1beta/files", "application/pdf"),
    ],
)
def test_a_body_that_is_a_file_is_read_by_its_content(
    family: str, path: str, content_type: str
) -> None:
    image = parse_request(family, "x", "POST", path, content_type, b"\x89PNG\r\n\x1a\n" + bytes(32))
    assert (image.body_format, image.segments, image.unreadable) == ("file", [], [])
    text = parse_request(family, "x", "POST", path, content_type, b"OPENAI_API_KEY=sk-abc\n")
    assert (text.body_format, texts(text)) == ("text", [(("body",), "OPENAI_API_KEY=sk-abc\n")])
    junk = parse_request(family, "x", "POST", path, content_type, bytes(range(256)) * 4)
    assert junk.unreadable == ["the request body (binary data)"]


def test_invalid_utf8_is_malformed_and_says_where() -> None:
    body = b'{"messages": [{"role": "user", "content": "caf\xe9"}]}'
    with pytest.raises(MalformedBody) as caught:
        parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    assert str(caught.value) == "request body is not valid UTF-8 (byte 0xe9 at offset 46)"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"model": "gpt-4o", "messages": [}',
            "request body is not valid JSON: Expecting value: line 1 column 34 (char 33)",
        ),
        (
            b'{"model": "gpt-4o",\n "stream": tru}',
            "request body is not valid JSON: Expecting value: line 2 column 12 (char 31)",
        ),
        (b"   ", "request body is not valid JSON: Expecting value: line 1 column 4 (char 3)"),
    ],
)
def test_malformed_json_says_what_and_where(body: bytes, message: str) -> None:
    with pytest.raises(MalformedBody) as caught:
        parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    assert str(caught.value) == message


def test_a_key_given_twice_is_malformed() -> None:
    body = b'{"messages": [{"role": "user", "content": "hi"}], "messages": []}'
    with pytest.raises(MalformedBody, match="repeats the key 'messages'"):
        parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)


@pytest.mark.parametrize("depth", [65, 1000, 200_000])
def test_json_nested_past_64_levels_is_malformed(depth: int) -> None:
    body = ("[" * depth + "]" * depth).encode()
    with pytest.raises(MalformedBody, match="JSON nested deeper than 64 levels"):
        parse_request("generic", "x", "POST", "/v1/run", None, body)


def test_json_nested_exactly_64_levels_is_read() -> None:
    body = json.dumps({"a": [[[[[[[["deep"]]]]]]]]})  # 9 levels; 55 more make 64
    deepest = "[" * 55 + body + "]" * 55
    request = parse_request("generic", "x", "POST", "/v1/run", None, deepest.encode())
    assert [s.text for s in request.segments] == ["deep"]
    assert len(request.segments[0].path) == 64


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        (("messages", 0, "content", 1, "text"), "messages[0].content[1].text"),
        (("system",), "system"),
        (("form", "file", "file"), "form.file.file"),
        ((), "$"),
    ],
)
def test_segment_paths_render_like_json_paths(path: tuple[str | int, ...], rendered: str) -> None:
    assert Segment(path, "x").path_str() == rendered


@pytest.mark.parametrize(
    ("schema", "path", "body", "expected"),
    [
        (
            "openai",
            "/v1/chat/completions",
            {
                "model": "gpt-4o",
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "what is this?"},
                            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
                        ],
                    }
                ],
            },
            1,
        ),
        (
            "anthropic",
            "/v1/messages",
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 10,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "document", "source": {"type": "base64", "data": "AA"}},
                            {"type": "image", "source": {"type": "base64", "data": "AA"}},
                            {"type": "text", "text": "summarise"},
                        ],
                    }
                ],
            },
            2,
        ),
        (
            "gemini",
            "/v1beta/models/gemini-2.5-flash:generateContent",
            {"contents": [{"parts": [{"text": "x"}, {"inlineData": {"mimeType": "image/png"}}]}]},
            1,
        ),
        ("openai", "/v1/chat/completions", {"model": "m", "messages": []}, 0),
    ],
)
def test_attachments_are_counted_whatever_the_schema(schema, path, body, expected):
    request = parse_request(
        schema, "x", "POST", path, "application/json", json.dumps(body).encode()
    )
    assert request.attachments == expected


_KEYS = st.sampled_from(
    ["type", "image", "file_data", "text", "attachments", "inlineData", "content", "ïmage"]
)
_VALUES = st.sampled_from(["image_url", "input_file", "audio", "document", "text", "x", "ünï"])
_DOCS = st.recursive(
    _VALUES | st.integers(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(_DOCS, st.booleans())
def test_the_cheap_attachment_check_never_hides_one(doc, ascii_only):
    # The byte check only lets the parser skip its walk; it must see every attachment the walk
    # would count, however the body is written (\u escapes included).
    body = json.dumps(doc, ensure_ascii=ascii_only).encode()
    if count_json_attachments(doc):
        assert may_hold_attachments(body)


def test_escaped_names_still_count_as_attachments():
    body = b'{"messages": [{"content": [{"\\u0074ype": "\\u0069mage_url"}]}]}'
    request = parse_request("openai", "x", "POST", "/v1/chat/completions", "application/json", body)
    assert request.attachments == 1


def test_depth_is_checked_when_brackets_could_nest_that_deep():
    deep = b'{"messages": ' + b"[" * 70 + b"]" * 70 + b"}"
    with pytest.raises(MalformedBody, match="JSON nested deeper than 64 levels"):
        load_json(deep)
    flat = json.dumps({"messages": [[1]] * 100}).encode()  # many brackets, shallow
    assert load_json(flat)["messages"][0] == [1]


def test_a_text_body_in_a_false_charset_is_also_read_as_it_looks() -> None:
    body = b"key sk-abc and dana@example.com"
    request = parse_request("generic", "x", "POST", "/v1/run", "text/plain; charset=cp500", body)
    [sniffed] = [s for s in request.other if s.path[0] == "body"]
    assert sniffed.text == body.decode() and not sniffed.redactable


@pytest.mark.parametrize("charset", ["base64", "zlib", "rot13", "hex", "no-such-charset"])
def test_a_charset_that_is_not_a_text_encoding_is_malformed(charset: str) -> None:
    with pytest.raises(MalformedBody, match=f"not valid {charset} text"):
        parse_request("generic", "x", "POST", "/v1/run", f"text/plain; charset={charset}", b"aGk=")


def test_an_urlencoded_form_in_another_charset_is_refused() -> None:
    from warden.errors import UnsupportedBody

    kind = "application/x-www-form-urlencoded; charset=cp500"
    with pytest.raises(UnsupportedBody, match="UTF-8 only, not cp500"):
        parse_request("generic", "x", "POST", "/v1/run", kind, "a=b".encode("cp500"))
