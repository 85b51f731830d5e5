"""Helpers shared by the mock provider wire formats: echo replies, word "tokens", pacing, SSE."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

# Per-request pacing of streamed events, so tests can observe that the proxy streams
# (first bytes arrive before the last event is produced) instead of buffering.
DELAY_HEADER = "x-mock-delay-ms"


def words(text: str) -> list[str]:
    return text.split()


def count_words(texts: Iterable[str]) -> int:
    """The mock's deterministic "token" count: whitespace-separated words."""
    return sum(len(words(t)) for t in texts)


def echo_reply(user_text: str) -> str:
    # Whitespace is normalised so that the streamed words, re-joined with single spaces,
    # are byte-identical to the non-streamed reply.
    return " ".join(["echo:", *words(user_text)])


def reply_pieces(reply: str) -> list[str]:
    """One piece per word; concatenating the pieces gives back ``reply``."""
    ws = words(reply)
    return [w if i == 0 else f" {w}" for i, w in enumerate(ws)]


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def now() -> int:
    return int(time.time())


def delay_seconds(request: Request) -> float:
    default_ms = getattr(request.app.state, "default_delay_ms", 0)
    raw = request.headers.get(DELAY_HEADER)
    try:
        ms = float(raw) if raw is not None else float(default_ms)
    except ValueError:
        ms = float(default_ms)
    return max(ms, 0.0) / 1000.0


async def read_json(request: Request) -> dict[str, Any] | None:
    """The JSON object body, or None when it is missing or not an object."""
    try:
        data = json.loads(await request.body() or b"null")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def dumps(obj: Any) -> str:
    # Compact like the real APIs; keeps the byte counts tests may compare small and stable.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


async def paced(items: Iterable[str], delay: float) -> AsyncIterator[bytes]:
    """Yield already-framed SSE events, sleeping ``delay`` between consecutive ones."""
    for i, item in enumerate(items):
        if i and delay:
            await asyncio.sleep(delay)
        yield item.encode()


def sse_response(events: list[str], delay: float) -> StreamingResponse:
    return StreamingResponse(
        paced(events, delay),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache"},
    )


def error_response(status: int, message: str, err_type: str = "invalid_request_error") -> Response:
    return JSONResponse({"error": {"message": message, "type": err_type}}, status_code=status)


def text_of_parts(parts: Any, text_key: str = "text") -> list[str]:
    """Text from a string or a list of content parts/blocks; non-text parts are ignored."""
    if isinstance(parts, str):
        return [parts]
    out: list[str] = []
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict) and isinstance(part.get(text_key), str):
                out.append(part[text_key])
    return out
