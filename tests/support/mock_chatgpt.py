"""chatgpt.com web-app wire format: POST /backend-api/conversation as a small SSE stream."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tests.support.mock_common import (
    delay_seconds,
    dumps,
    echo_reply,
    error_response,
    new_id,
    read_json,
    reply_pieces,
    sse_response,
    text_of_parts,
)


def _last_user_text(body: dict[str, Any]) -> str:
    last = ""
    for msg in body.get("messages") or []:
        if not isinstance(msg, dict) or (msg.get("author") or {}).get("role") != "user":
            continue
        last = " ".join(text_of_parts((msg.get("content") or {}).get("parts")))
    return last


async def conversation(request: Request) -> Response:
    body = await read_json(request)
    if body is None:
        return error_response(400, "invalid JSON")
    reply = echo_reply(_last_user_text(body))
    conversation_id = str(body.get("conversation_id") or new_id("conv-"))
    message_id = new_id("msg-")
    events = []
    text = ""
    pieces = reply_pieces(reply)
    # The classic (pre delta-encoding) format: every event repeats the whole text so far.
    for i, piece in enumerate(pieces):
        text += piece
        done = i == len(pieces) - 1
        message: dict[str, Any] = {
            "id": message_id,
            "author": {"role": "assistant", "name": None, "metadata": {}},
            "content": {"content_type": "text", "parts": [text]},
            "status": "finished_successfully" if done else "in_progress",
            "end_turn": True if done else None,
            "metadata": {"model_slug": str(body.get("model", "auto"))},
            "recipient": "all",
        }
        event = {"message": message, "conversation_id": conversation_id, "error": None}
        events.append(f"data: {dumps(event)}\n\n")
    events.append("data: [DONE]\n\n")
    return sse_response(events, delay_seconds(request))


async def handle(request: Request) -> Response | None:
    if request.method == "POST" and request.url.path == "/backend-api/conversation":
        return await conversation(request)
    return None
