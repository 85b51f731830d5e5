"""StreamAddon: answers that would be noticed held back are streamed; response filters see
every byte, streamed or buffered, and the answer's framing stays right when a filter changes
its length."""

from __future__ import annotations

from collections.abc import Callable

from mitmproxy import http
from mitmproxy.test import tflow

from addons.stream import BUFFER_LIMIT, StreamAddon, add_response_filter

SSE = [b'data: {"delta": "Hel"}\n\n', b'data: {"delta": "lo"}\n\n', b"data: [DONE]\n\n"]


class Recorder:
    """A filter that sees each chunk and passes it on unchanged."""

    def __init__(self) -> None:
        self.seen: list[bytes] = []

    def __call__(self, chunk: bytes) -> bytes:
        self.seen.append(chunk)
        return chunk


def _answer(content_type: str, length: int | None, http_version: str = "HTTP/1.1") -> http.HTTPFlow:
    flow = tflow.tflow()
    flow.request.http_version = http_version
    flow.response = tflow.tresp(content=b"")
    flow.response.headers["content-type"] = content_type
    flow.response.headers.pop("content-length", None)
    if length is not None:
        flow.response.headers["content-length"] = str(length)
    return flow


def _stream(flow: http.HTTPFlow, chunks: list[bytes]) -> bytes:
    """What mitmproxy sends on: each chunk through the stream callable, then b"" at the end."""
    assert flow.response is not None
    run = flow.response.stream
    assert callable(run)
    run_chunk: Callable[[bytes], bytes] = run  # type: ignore[assignment]
    return b"".join(run_chunk(c) for c in chunks) + run_chunk(b"")


def test_a_filter_sees_the_streamed_body_chunk_by_chunk() -> None:
    flow = _answer("text/event-stream; charset=utf-8", None)
    recorder = Recorder()
    add_response_filter(flow, recorder)
    StreamAddon().responseheaders(flow)
    assert _stream(flow, SSE) == b"".join(SSE)
    assert recorder.seen == [*SSE, b""]  # and the end of the stream, to flush


def test_content_length_is_dropped_when_a_filter_may_change_the_length() -> None:
    flow = _answer("text/event-stream", sum(map(len, SSE)))
    add_response_filter(flow, lambda chunk: chunk.replace(b"<EMAIL_1>", b"ana@example.com"))
    StreamAddon().responseheaders(flow)
    assert flow.response is not None
    assert "content-length" not in flow.response.headers
    assert flow.response.headers["transfer-encoding"] == "chunked"


def test_over_http2_the_length_is_dropped_without_adding_chunked() -> None:
    flow = _answer("text/event-stream", 100, http_version="HTTP/2.0")
    add_response_filter(flow, Recorder())
    StreamAddon().responseheaders(flow)
    assert flow.response is not None
    assert "content-length" not in flow.response.headers
    assert "transfer-encoding" not in flow.response.headers  # not allowed in HTTP/2


def test_without_filters_a_stream_passes_untouched_with_its_length() -> None:
    flow = _answer("text/event-stream", 57)
    StreamAddon().responseheaders(flow)
    assert flow.response is not None
    assert flow.response.stream is True
    assert flow.response.headers["content-length"] == "57"


def test_large_and_chunked_answers_are_streamed_and_small_ones_buffered() -> None:
    for content_type, length, streamed in [
        ("application/json", None, True),
        ("application/json", BUFFER_LIMIT + 1, True),
        ("application/x-ndjson", 10, True),
        ("application/json", 512, False),
    ]:
        flow = _answer(content_type, length)
        StreamAddon().responseheaders(flow)
        assert flow.response is not None
        assert bool(flow.response.stream) is streamed, (content_type, length)


def test_a_buffered_answer_passes_through_the_filters_with_its_length_fixed() -> None:
    body = b'{"reply": "Write to <EMAIL_1> today."}'
    flow = _answer("application/json", len(body))
    assert flow.response is not None
    flow.response.raw_content = body
    add_response_filter(flow, lambda chunk: chunk.replace(b"<EMAIL_1>", b"ana.lima@example.com"))
    addon = StreamAddon()
    addon.responseheaders(flow)
    addon.response(flow)
    expected = b'{"reply": "Write to ana.lima@example.com today."}'
    assert flow.response.raw_content == expected
    assert flow.response.headers["content-length"] == str(len(expected))


def test_what_a_filter_holds_back_is_flushed_through_the_next_at_the_end() -> None:
    held: list[bytes] = []

    def holds_back(chunk: bytes) -> bytes:
        # A restorer waiting for the rest of a placeholder split across chunks.
        if chunk:
            held.append(chunk)
            return b""
        out = b"".join(held)
        held.clear()
        return out

    after = Recorder()
    flow = _answer("text/event-stream", None)
    add_response_filter(flow, holds_back)
    add_response_filter(flow, after)
    StreamAddon().responseheaders(flow)
    assert _stream(flow, SSE) == b"".join(SSE)
    assert after.seen == [b"".join(SSE), b""]  # never an early b"" mistaken for the end
