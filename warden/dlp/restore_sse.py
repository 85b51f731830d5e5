"""Restore placeholders in a server-sent-events answer, where models stream token by token.

A model writes `<EMAIL_1>` as several tokens, and providers send one event per token:
`{"delta": {"content": "<"}}`, then `"EMAIL"`, `"_"`, `"1"`, `">"`. Between the pieces lies
JSON framing, so the byte-level StreamRestorer cannot see the placeholder. This restorer
reads whole events and works on their JSON string values instead:

- a value that holds a complete placeholder gets the original value (JSON-escaped by
  re-serialising the event);
- an event whose value ends with the start of a placeholder ("...<EMA") is held back; when
  the next event arrives, that start moves into the same field of the next event (matched by
  its JSON path and any "index" along it, so parallel choices and content blocks stay apart),
  and the held event goes out without it. An event that carries other text (another choice
  or content block), `[DONE]`, or the end of the stream releases a held event unchanged: a
  placeholder split across interleaved choices (n > 1) is not restored. Keep-alive events
  without text (Anthropic's ping) pass by a held event without releasing it.

Events without placeholders pass through byte for byte. Any provider whose events carry text
deltas as JSON strings works (OpenAI chat and Responses, Anthropic, Gemini, Mistral...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from warden.dlp.restore import RestoreMap

__all__ = ["SseRestorer"]

_EVENT_END = re.compile(rb"\r?\n\r?\n")
# Fields that label an event rather than carry text.
_LABELS = frozenset({"type", "id", "object", "model", "event", "role"})
type _Key = tuple[object, ...]
type _Path = tuple[str | int, ...]


@dataclass
class _Event:
    lines: list[bytes]  # the event's lines without their ends
    doc: Any  # the parsed JSON of its data
    terminator: bytes
    strings: dict[_Key, tuple[_Path, str]] = field(default_factory=dict)
    pending: dict[_Key, str] = field(default_factory=dict)  # field -> placeholder start

    def render(self) -> bytes:
        data = json.dumps(self.doc, ensure_ascii=False, separators=(",", ":")).encode()
        out, wrote = [], False
        for line in self.lines:
            if line.startswith(b"data:"):
                if not wrote:
                    out.append(b"data: " + data)
                    wrote = True
            else:
                out.append(line)
        return b"\n".join(out) + self.terminator


class SseRestorer:
    """A response filter for text/event-stream answers; b"" flushes at the end."""

    def __init__(self, restore: RestoreMap) -> None:
        self._restore = restore
        self._prefixes = {p[:i] for p in restore for i in range(1, len(p))}
        self._longest = max((len(p) for p in restore), default=0)
        self._buffer = b""
        self._held: _Event | None = None

    def __repr__(self) -> str:
        return f"<SseRestorer {len(self._restore)} placeholders>"

    def __call__(self, chunk: bytes) -> bytes:
        if not chunk:
            rest, self._buffer = self._buffer, b""
            return self._release() + rest
        self._buffer += chunk
        out = []
        while match := _EVENT_END.search(self._buffer):
            raw, self._buffer = self._buffer[: match.end()], self._buffer[match.end() :]
            out.append(self._event(raw, match.group()))
        return b"".join(out)

    def _event(self, raw: bytes, terminator: bytes) -> bytes:
        might_hold = b"<" in raw or b"\\u003c" in raw.lower()
        if self._held is None and not might_hold:
            return raw
        lines = raw[: -len(terminator)].split(b"\n")
        lines = [line.rstrip(b"\r") for line in lines]
        data = b"\n".join(line[5:].lstrip(b" ") for line in lines if line.startswith(b"data:"))
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        if not isinstance(doc, dict | list):
            return self._release() + raw  # [DONE], comments, pings: nothing continues here
        event = _Event(lines, doc, terminator)
        _strings(doc, (), (), event.strings)
        if self._held is not None and all(
            path[-1] in _LABELS for path, _ in event.strings.values()
        ):
            return raw  # a ping: no text to continue, none to restore
        out = b""
        if self._held is not None:
            out = self._continue(self._held, event)
            self._held = None
        changed = self._restore_values(event)
        if event.pending:
            self._held = event
            return out
        return out + (event.render() if changed else raw)

    def _continue(self, held: _Event, event: _Event) -> bytes:
        """Move each held placeholder start into the same field of the next event."""
        for key, start in held.pending.items():
            path, text = held.strings[key]
            if key in event.strings:
                _set(held.doc, path, text[: len(text) - len(start)])
                next_path, next_text = event.strings[key]
                event.strings[key] = (next_path, start + next_text)
                _set(event.doc, next_path, start + next_text)
        return held.render()

    def _restore_values(self, event: _Event) -> bool:
        changed = False
        for key, (path, text) in list(event.strings.items()):
            restored = self._restore.restore_text(text) if "<" in text else text
            if restored != text:
                _set(event.doc, path, restored)
                event.strings[key] = (path, restored)
                changed = True
            start = self._open_start(restored)
            if start:
                event.pending[key] = start
        return changed

    def _open_start(self, text: str) -> str:
        for size in range(min(self._longest - 1, len(text)), 0, -1):
            if text[-size:] in self._prefixes:
                return text[-size:]
        return ""

    def _release(self) -> bytes:
        held, self._held = self._held, None
        return held.render() if held is not None else b""


def _strings(value: Any, path: _Path, indexes: _Key, out: dict[_Key, tuple[_Path, str]]) -> None:
    if isinstance(value, str):
        out[(path, indexes)] = (path, value)
    elif isinstance(value, dict):
        own = value.get("index")
        here = (*indexes, own) if isinstance(own, int) else indexes
        for key, item in value.items():
            _strings(item, (*path, key), here, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _strings(item, (*path, i), indexes, out)


def _set(doc: Any, path: _Path, value: str) -> None:
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
