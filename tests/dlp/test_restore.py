"""Reversible placeholders come back as the original values, however the answer is cut."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from warden.dlp.restore import RestoreMap, StreamRestorer

VALUES = RestoreMap(
    {"<EMAIL_1>": "ana@example.com", "<EMAIL_10>": "bo@example.org", "<PERSON_1>": 'Ana "AL" Lima'}
)


def _run(restorer: StreamRestorer, chunks: list[bytes]) -> bytes:
    return b"".join(restorer(c) for c in chunks if c) + restorer(b"")


def _sse(text: str) -> bytes:
    event = {"choices": [{"delta": {"content": text}}]}
    return f"data: {json.dumps(event)}\n\n".encode()


ANSWER = _sse("Write to <EMAIL_1> and <EMAIL_10>, cc <PERSON_1>.") + _sse(
    "Escaped: \u003cEMAIL_1\u003e"
).replace(b"<EMAIL_1>", b"\\u003cEMAIL_1\\u003e")


def _expected() -> bytes:
    return _sse('Write to ana@example.com and bo@example.org, cc Ana "AL" Lima.') + _sse(
        "Escaped: ana@example.com"
    )


def test_placeholders_in_json_are_restored_json_escaped():
    out = _run(StreamRestorer(VALUES, json_escape=True), [ANSWER])
    assert out == _expected()
    first = json.loads(out.split(b"\n\n")[0][len(b"data: ") :])
    assert first["choices"][0]["delta"]["content"].endswith('cc Ana "AL" Lima.')


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(ANSWER)), max_size=12))
def test_any_split_of_the_stream_restores_the_same(cuts: list[int]):
    points = sorted(set(cuts))
    chunks = [ANSWER[a:b] for a, b in zip([0, *points], [*points, len(ANSWER)], strict=True)]
    assert _run(StreamRestorer(VALUES, json_escape=True), chunks) == _expected()


def test_split_at_every_single_position():
    for cut in range(len(ANSWER) + 1):
        out = _run(StreamRestorer(VALUES, json_escape=True), [ANSWER[:cut], ANSWER[cut:]])
        assert out == _expected(), cut


def test_byte_by_byte_stream():
    restorer = StreamRestorer(VALUES, json_escape=True)
    assert _run(restorer, [ANSWER[i : i + 1] for i in range(len(ANSWER))]) == _expected()
    assert restorer.restored == 4


def test_plain_text_answers_get_the_raw_value():
    out = _run(StreamRestorer(VALUES, json_escape=False), [b"hi <PERSON_1>", b"!"])
    assert out == b'hi Ana "AL" Lima!'


def test_a_held_back_prefix_that_never_completes_is_flushed_unchanged():
    restorer = StreamRestorer(VALUES, json_escape=True)
    assert restorer(b"the end <EMA") == b"the end "
    assert restorer(b"") == b"<EMA"


def test_restore_map_does_not_show_values():
    assert "ana@" not in repr(VALUES) and "ana@" not in repr(
        StreamRestorer(VALUES, json_escape=True)
    )


# --- server-sent events, one token per event, as models really stream ---------------------

from warden.dlp.restore_sse import SseRestorer  # noqa: E402


def _openai_tokens(tokens: list[str]) -> bytes:
    events = [
        {"id": "c1", "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None}]}
        for t in tokens
    ]
    body = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events)
    return body + b"data: [DONE]\n\n"


def _text_of(stream: bytes) -> str:
    text = ""
    for event in stream.split(b"\n\n"):
        if event.startswith(b"data: {"):
            text += json.loads(event[6:])["choices"][0]["delta"]["content"]
    return text


TOKENS = [
    "Mail ",
    "<",
    "EMAIL",
    "_",
    "1",
    ">",
    " or ",
    "<EMAIL_",
    "10",
    ">",
    ", ",
    "<PER",
    "SON_1>",
    "!",
]
SPLIT = _openai_tokens(TOKENS)


def test_placeholders_split_across_events_are_restored():
    out = _run(SseRestorer(VALUES), [SPLIT])
    assert _text_of(out) == 'Mail ana@example.com or bo@example.org, Ana "AL" Lima!'
    assert out.endswith(b"data: [DONE]\n\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(SPLIT)), max_size=10))
def test_event_restoring_survives_any_chunking(cuts: list[int]):
    points = sorted(set(cuts))
    chunks = [SPLIT[a:b] for a, b in zip([0, *points], [*points, len(SPLIT)], strict=True)]
    assert _text_of(_run(SseRestorer(VALUES), chunks)) == _text_of(
        _run(SseRestorer(VALUES), [SPLIT])
    )


def test_events_without_placeholders_pass_byte_for_byte():
    stream = _openai_tokens(["Hello", " <b>world</b>", " 3 < 4"])
    assert _run(SseRestorer(VALUES), [stream]) == stream


def test_a_placeholder_start_left_open_is_released_unchanged_at_the_end():
    stream = _openai_tokens(["the end <EMA"])[: -len(b"data: [DONE]\n\n")]
    assert _text_of(_run(SseRestorer(VALUES), [stream])) == "the end <EMA"


def _anthropic_delta(index: int, text: str) -> bytes:
    event = {
        "type": "content_block_delta",
        "index": index,
        "delta": {"type": "text_delta", "text": text},
    }
    return f"event: content_block_delta\ndata: {json.dumps(event)}\n\n".encode()


def _anthropic_texts(stream: bytes) -> list[str]:
    events = [json.loads(line[6:]) for line in stream.split(b"\n") if line.startswith(b"data: ")]
    return [e["delta"]["text"] for e in events if e["type"] == "content_block_delta"]


def test_anthropic_stream_with_a_ping_between_tokens():
    ping = b'event: ping\ndata: {"type": "ping"}\n\n'
    stream = _anthropic_delta(0, "to <EMA") + ping + _anthropic_delta(0, "IL_1> now")
    out = _run(SseRestorer(VALUES), [stream])
    assert "".join(_anthropic_texts(out)) == "to ana@example.com now"
    assert ping in out


def test_interleaved_fields_release_the_held_event_unchanged():
    stream = (
        _anthropic_delta(0, "to <EMA") + _anthropic_delta(1, "other") + _anthropic_delta(0, "IL_1>")
    )
    out = _run(SseRestorer(VALUES), [stream])
    assert _anthropic_texts(out) == ["to <EMA", "other", "IL_1>"]
