"""Splitting streamed answers into messages: bounded, and robust to any chunking."""

from __future__ import annotations

from tests.usage.wire import aws_frame, pieces
from warden.usage.framing import EventStreamFramer, LineFramer, SseFramer


def test_a_line_longer_than_the_bound_is_skipped_and_reading_goes_on():
    framer = LineFramer(max_message=16)
    body = b"short\n" + b"x" * 100 + b"\nafter\n"
    lines = [line for piece in pieces(body, 10) for line in framer.feed(piece)]
    assert lines == [b"short", b"after"]


def test_sse_events_survive_being_split_at_every_byte():
    body = b"event: a\ndata: 1\n\n: comment\ndata: 2\ndata: 3\n\n"
    framer = SseFramer()
    events = [e for piece in pieces(body, 1) for e in framer.feed(piece)]
    events += list(framer.finish())
    assert [(e.event, e.data) for e in events] == [("a", "1"), (None, "2\n3")]


def test_an_unterminated_last_sse_event_is_delivered_at_the_end():
    framer = SseFramer()
    assert list(framer.feed(b"data: {}")) == []
    assert [e.data for e in framer.finish()] == ["{}"]


def test_event_stream_frames_split_anywhere_decode_with_their_headers():
    body = aws_frame("metadata", {"usage": {"inputTokens": 1}}) * 3
    framer = EventStreamFramer()
    messages = [m for piece in pieces(body, 3) for m in framer.feed(piece)]
    assert len(messages) == 3
    assert messages[0].headers[":event-type"] == "metadata"
    assert messages[0].payload == b'{"usage": {"inputTokens": 1}}'


def test_a_damaged_event_stream_message_is_skipped():
    frame = bytearray(aws_frame("x", {"a": 1}))
    frame[-6] ^= 0xFF  # payload byte: the message CRC no longer matches
    framer = EventStreamFramer()
    good = aws_frame("y", {"b": 2})
    messages = list(framer.feed(bytes(frame) + good))
    assert [m.headers[":event-type"] for m in messages] == ["y"]
    assert framer.failed is None
