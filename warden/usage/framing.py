"""Split a decoded response into messages as it streams: SSE events, JSON lines, AWS frames.

Each framer keeps only the unfinished tail of the last message, bounded: a message larger
than `max_message` is skipped rather than buffered without limit.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["EventStreamFramer", "EventStreamMessage", "LineFramer", "SseEvent", "SseFramer"]

MAX_MESSAGE = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SseEvent:
    event: str | None
    data: str


class LineFramer:
    """Newline-delimited messages (NDJSON, and the lines inside SSE)."""

    def __init__(self, max_message: int = MAX_MESSAGE) -> None:
        self._tail = bytearray()
        self._skipping = False
        self._max = max_message

    def feed(self, data: bytes) -> Iterator[bytes]:
        buf = self._tail
        pos = len(buf)  # the tail has no newline: search only what is new
        buf += data
        start = 0
        while (end := buf.find(b"\n", pos)) >= 0:
            line = bytes(buf[start:end])
            start = pos = end + 1
            if self._skipping:
                self._skipping = False  # the end of an oversized line: drop it
                continue
            yield line[:-1] if line.endswith(b"\r") else line
        del buf[:start]
        if len(buf) > self._max:
            buf.clear()
            self._skipping = True

    def finish(self) -> Iterator[bytes]:
        if self._tail and not self._skipping:
            yield bytes(self._tail)
        self._tail.clear()


class SseFramer:
    """Server-sent events: `event:` and `data:` fields, a blank line ends each event."""

    def __init__(self, max_message: int = MAX_MESSAGE) -> None:
        self._lines = LineFramer(max_message)
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, data: bytes) -> Iterator[SseEvent]:
        for line in self._lines.feed(data):
            yield from self._line(line)

    def finish(self) -> Iterator[SseEvent]:
        for line in self._lines.finish():
            yield from self._line(line)
        yield from self._line(b"")

    def _line(self, raw: bytes) -> Iterator[SseEvent]:
        if not raw:
            if self._data:
                yield SseEvent(self._event, "\n".join(self._data))
            self._event, self._data = None, []
            return
        line = raw.decode("utf-8", "replace")
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value


@dataclass(frozen=True, slots=True)
class EventStreamMessage:
    headers: dict[str, object]
    payload: bytes


class EventStreamFramer:
    """AWS event stream (application/vnd.amazon.eventstream), as Bedrock streams answers.

    Frame: total length, headers length, prelude CRC32 (4 bytes each, big-endian), headers,
    payload, message CRC32. A bad prelude CRC means we lost the framing: reading stops.
    """

    def __init__(self, max_message: int = MAX_MESSAGE) -> None:
        self._buf = b""
        self._max = max_message
        self.failed: str | None = None

    def feed(self, data: bytes) -> Iterator[EventStreamMessage]:
        if self.failed:
            return
        self._buf += data
        while len(self._buf) >= 12:
            total, headers_len, prelude_crc = struct.unpack(">III", self._buf[:12])
            if zlib.crc32(self._buf[:8]) != prelude_crc or total < 16 or total > self._max:
                self.failed, self._buf = "event stream framing lost", b""
                return
            if len(self._buf) < total:
                return
            frame, self._buf = self._buf[:total], self._buf[total:]
            (message_crc,) = struct.unpack(">I", frame[-4:])
            if zlib.crc32(frame[:-4]) != message_crc:
                continue  # a damaged message: skip it, the framing itself still holds
            headers = _headers(frame[12 : 12 + headers_len])
            yield EventStreamMessage(headers, frame[12 + headers_len : -4])


def _headers(raw: bytes) -> dict[str, object]:
    out: dict[str, object] = {}
    i = 0
    try:
        while i < len(raw):
            name_len = raw[i]
            name = raw[i + 1 : i + 1 + name_len].decode("utf-8", "replace")
            i += 1 + name_len
            kind = raw[i]
            i += 1
            value: object
            if kind in (0, 1):  # bool true / false
                value = kind == 0
            elif kind in (2, 3, 4, 5):  # byte, short, int, long
                size = {2: 1, 3: 2, 4: 4, 5: 8}[kind]
                value = int.from_bytes(raw[i : i + size], "big", signed=True)
                i += size
            elif kind in (6, 7):  # bytes, string
                (length,) = struct.unpack(">H", raw[i : i + 2])
                data = raw[i + 2 : i + 2 + length]
                value = data.decode("utf-8", "replace") if kind == 7 else data
                i += 2 + length
            elif kind == 8:  # timestamp
                value = int.from_bytes(raw[i : i + 8], "big", signed=True)
                i += 8
            elif kind == 9:  # uuid
                value = raw[i : i + 16].hex()
                i += 16
            else:
                break
            out[name] = value
    except (IndexError, struct.error):
        pass
    return out
