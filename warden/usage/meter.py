"""Watch one response go by and read its usage and text, without holding any byte back.

A ResponseMeter is fed each chunk as the proxy streams it (it only reads a decoded copy)
and finish()ed at the end. It chooses how to read by Content-Type:

  text/event-stream                     SSE events (OpenAI, Anthropic, Gemini alt=sse, Cohere v2)
  application/vnd.amazon.eventstream    AWS event-stream frames (Bedrock *Stream APIs)
  application/x-ndjson, stream+json     JSON lines (Cohere v1 streams)
  anything else                         one JSON document, buffered up to MAX_JSON_BYTES
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from warden.usage.decoding import StreamDecoder
from warden.usage.fields import Observed, TextBuffer, read_message
from warden.usage.framing import EventStreamFramer, LineFramer, SseFramer

__all__ = ["MAX_DECODED_BYTES", "MAX_JSON_BYTES", "ResponseMeter", "ResponseReading"]

MAX_DECODED_BYTES = 64 * 1024 * 1024  # read no more than this of one answer
MAX_JSON_BYTES = 8 * 1024 * 1024  # a non-streamed answer bigger than this is not parsed
MAX_TEXT_CHARS = 1024 * 1024  # answer text kept for estimates and capture


@dataclass(frozen=True, slots=True)
class ResponseReading:
    """What the meter saw: provider usage if reported, and the answer text."""

    input_tokens: int | None
    output_tokens: int | None
    cached_tokens: int | None
    usage_complete: bool  # the provider reported usage for the whole answer
    model: str | None
    text: str
    text_chars: int  # the whole answer's length, even past what `text` keeps
    text_truncated: bool
    wire_bytes: int  # bytes received from the provider (still content-encoded)
    problem: str | None = None  # why reading stopped early, if it did


class ResponseMeter:
    def __init__(
        self,
        content_type: str | None,
        content_encoding: str | None,
        headers: dict[str, str] | None = None,
        text_limit: int = MAX_TEXT_CHARS,
    ) -> None:
        self._seen = Observed(text=TextBuffer(text_limit))
        self._decoder = StreamDecoder(content_encoding, MAX_DECODED_BYTES)
        self.wire_bytes = 0
        self._problem: str | None = None
        mime = (content_type or "").split(";", 1)[0].strip().lower()
        self._sse = SseFramer() if mime == "text/event-stream" else None
        self._aws = EventStreamFramer() if mime == "application/vnd.amazon.eventstream" else None
        self._lines = (
            LineFramer()
            if mime in ("application/x-ndjson", "application/jsonl", "application/stream+json")
            else None
        )
        self._json: bytearray | None = (
            bytearray() if not (self._sse or self._aws or self._lines) else None
        )
        _bedrock_headers(headers or {}, self._seen)

    def feed(self, chunk: bytes) -> None:
        self.wire_bytes += len(chunk)
        data = self._decoder.decode(chunk)
        if not data:
            return
        if self._sse is not None:
            for event in self._sse.feed(data):
                self._sse_event(event.event, event.data)
        elif self._aws is not None:
            for message in self._aws.feed(data):
                self._aws_message(message.headers, message.payload)
        elif self._lines is not None:
            for line in self._lines.feed(data):
                self._json_text(line)
        elif self._json is not None:
            if len(self._json) + len(data) > MAX_JSON_BYTES:
                self._problem = "answer too large to read"
                self._json = None
            else:
                self._json += data

    def finish(self) -> ResponseReading:
        if self._sse is not None:
            for event in self._sse.finish():
                self._sse_event(event.event, event.data)
        elif self._lines is not None:
            for line in self._lines.finish():
                self._json_text(line)
        elif self._json:
            self._json_text(bytes(self._json))
            self._json = None
        seen = self._seen
        return ResponseReading(
            input_tokens=seen.input_tokens,
            output_tokens=seen.output_tokens,
            cached_tokens=seen.cached_tokens,
            usage_complete=seen.final,
            model=seen.model,
            text=seen.text.text(),
            text_chars=seen.text.total_chars,
            text_truncated=seen.text.truncated,
            wire_bytes=self.wire_bytes,
            problem=self._problem
            or self._decoder.failed
            or (self._aws.failed if self._aws else None),
        )

    def _sse_event(self, event: str | None, data: str) -> None:
        if data == "[DONE]":
            return
        try:
            obj = json.loads(data)
        except ValueError:
            return
        read_message(obj, self._seen, event)

    def _aws_message(self, headers: dict[str, object], payload: bytes) -> None:
        if headers.get(":message-type") == "exception":
            return
        try:
            obj: Any = json.loads(payload)
        except ValueError:
            return
        event = headers.get(":event-type")
        read_message(obj, self._seen, event if isinstance(event, str) else None)

    def _json_text(self, raw: bytes) -> None:
        if not raw.strip():
            return
        try:
            obj = json.loads(raw)
        except ValueError:
            return
        read_message(obj, self._seen)


def _bedrock_headers(headers: dict[str, str], seen: Observed) -> None:
    # InvokeModel (not streamed) reports usage in headers, whatever the model's body format.
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_in = lowered.get("x-amzn-bedrock-input-token-count")
    raw_out = lowered.get("x-amzn-bedrock-output-token-count")
    if raw_in and raw_in.isdigit():
        out = int(raw_out) if raw_out and raw_out.isdigit() else None
        seen.set_usage(int(raw_in), out)
