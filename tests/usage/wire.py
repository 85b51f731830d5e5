"""Building provider answers as they travel: SSE, AWS event-stream frames, compression."""

from __future__ import annotations

import base64
import gzip
import json
import struct
import zlib
from typing import Any

import brotli
import zstandard


def sse(*events: Any, named: bool = False) -> bytes:
    """SSE text for JSON events; named=True adds `event: <type>` lines as Anthropic does."""
    out = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        head = f"event: {event['type']}\n" if named and isinstance(event, dict) else ""
        out.append(f"{head}data: {data}\n\n")
    return "".join(out).encode()


def aws_frame(event_type: str, payload: Any, message_type: str = "event") -> bytes:
    headers = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": message_type,
    }
    raw_headers = b"".join(
        bytes([len(k)]) + k.encode() + b"\x07" + struct.pack(">H", len(v)) + v.encode()
        for k, v in headers.items()
    )
    body = json.dumps(payload).encode()
    total = 12 + len(raw_headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + raw_headers + body
    return message + struct.pack(">I", zlib.crc32(message))


def bedrock_chunk(inner: Any) -> bytes:
    encoded = base64.b64encode(json.dumps(inner).encode()).decode()
    return aws_frame("chunk", {"bytes": encoded, "p": "abcdefgh"})


def compress(data: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(data)
    if coding == "br":
        return bytes(brotli.compress(data))
    if coding == "zstd":
        return zstandard.ZstdCompressor().compress(data)
    if coding == "deflate":
        return zlib.compress(data)
    return data


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]
