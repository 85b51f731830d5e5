"""Put original values back where the answer repeats a reversible placeholder.

The answer streams through chunk by chunk, and a placeholder may be cut anywhere: the
restorer holds back the longest chunk end that could still become a placeholder and emits it
with the next chunk (or at the end of the stream). Placeholders are found as sent
(`<EMAIL_1>`) and as JSON-escaped by providers that escape HTML characters
(`\\u003cEMAIL_1\\u003e`). Inside JSON (and SSE, whose events carry JSON) the original
value is inserted JSON-escaped, so a value with quotes or line breaks keeps the answer valid.

Limit: a placeholder is restored when its characters arrive contiguously in the byte stream.
A streamed answer that splits one placeholder across two SSE events (one model token per
event) carries JSON between the pieces, and those pieces are passed on unrestored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

__all__ = ["RestoreMap", "StreamRestorer"]

_OPEN = (b"<", b"\\u003c", b"\\u003C")
_CLOSE = (b">", b"\\u003e", b"\\u003E")


class RestoreMap:
    """Placeholder -> original value. Held in memory for one request, never logged."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, str]) -> None:
        self._values = dict(values)

    def __repr__(self) -> str:
        return f"<RestoreMap {len(self._values)} placeholders>"

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def original(self, placeholder: str) -> str:
        return self._values[placeholder]

    def restore_text(self, text: str) -> str:
        """Restore placeholders in a complete, plain text."""
        for placeholder, value in self._values.items():
            text = text.replace(placeholder, value)
        return text


class StreamRestorer:
    """A response filter: takes chunks, returns bytes to send on; b"" flushes at the end."""

    def __init__(self, restore: RestoreMap, *, json_escape: bool) -> None:
        replacements: dict[bytes, bytes] = {}
        for placeholder in restore:
            inner = placeholder[1:-1].encode("utf-8")
            value = restore.original(placeholder)
            raw = _json_inner(value) if json_escape else value.encode("utf-8")
            for opening in _OPEN:
                for closing in _CLOSE:
                    escaped = opening != b"<" or closing != b">"
                    # An escaped bracket means the placeholder sits inside a JSON string.
                    form = opening + inner + closing
                    replacements[form] = _json_inner(value) if escaped else raw
        self._replacements = replacements
        forms = sorted(replacements, key=len, reverse=True)
        self._pattern = re.compile(b"|".join(re.escape(f) for f in forms)) if forms else None
        self._prefixes = {f[:i] for f in forms for i in range(1, len(f))}
        self._longest = max((len(f) for f in forms), default=0)
        self._pending = b""
        self.restored = 0

    def __repr__(self) -> str:
        return f"<StreamRestorer {len(self._replacements)} forms>"

    def __call__(self, chunk: bytes) -> bytes:
        data = self._pending + chunk
        if not chunk:  # end of stream: nothing more can complete a placeholder
            self._pending = b""
            return self._sub(data)
        hold = 0
        for size in range(min(self._longest - 1, len(data)), 0, -1):
            if data[-size:] in self._prefixes:
                hold = size
                break
        self._pending = data[len(data) - hold :]
        return self._sub(data[: len(data) - hold])

    def _sub(self, data: bytes) -> bytes:
        if self._pattern is None or not data:
            return data

        def replace(match: re.Match[bytes]) -> bytes:
            self.restored += 1
            return self._replacements[match.group()]

        return self._pattern.sub(replace, data)


def _json_inner(value: str) -> bytes:
    return json.dumps(value, ensure_ascii=False)[1:-1].encode("utf-8")
