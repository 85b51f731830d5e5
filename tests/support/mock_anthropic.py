"""api.anthropic.com wire format: POST /v1/messages, plain JSON and the SSE event sequence."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.support.mock_common import (
    count_words,
    delay_seconds,
    dumps,
    echo_reply,
    new_id,
    read_json,
    reply_pieces,
    sse_response,
    text_of_parts,
    words,
)


def _error(status: int, message: str) -> Response:
    # Anthropic's error envelope differs from OpenAI's; SDKs parse the message out of it.
    return JSONResponse(
        {"type": "error", "error": {"type": "invalid_request_error", "message": message}},
        status_code=status,
    )


def _texts(body: dict[str, Any]) -> tuple[list[str], str]:
    """All prompt texts including system (for input_tokens) and the last user text (to echo)."""
    texts = text_of_parts(body.get("system"))
    last_user = ""
    for msg in body["messages"]:
        if not isinstance(msg, dict):
            continue
        msg_texts = text_of_parts(msg.get("content"))
        texts += msg_texts
        if msg.get("role") == "user":
            last_user = " ".join(msg_texts)
    return texts, last_user


def _event(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {dumps(data)}\n\n"


async def messages(request: Request) -> Response:
    body = await read_json(request)
    if body is None or not isinstance(body.get("messages"), list):
        return _error(400, "messages: field required")
    model = str(body.get("model", "claude-haiku-4-5"))
    texts, last_user = _texts(body)
    reply = echo_reply(last_user)
    n_in, n_out = count_words(texts), len(words(reply))
    message: dict[str, Any] = {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": reply}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": n_in, "output_tokens": n_out},
    }
    if not body.get("stream"):
        return JSONResponse(message)

    # message_start carries the input usage and an empty content list, like upstream;
    # the final output token count only arrives in message_delta.
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": n_in, "output_tokens": 1},
    }
    events = [
        _event("message_start", {"type": "message_start", "message": start}),
        _event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
    ]
    for piece in reply_pieces(reply):
        delta = {"type": "text_delta", "text": piece}
        events.append(
            _event(
                "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
            )
        )
    events += [
        _event("content_block_stop", {"type": "content_block_stop", "index": 0}),
        _event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": n_out},
            },
        ),
        _event("message_stop", {"type": "message_stop"}),
    ]
    return sse_response(events, delay_seconds(request))


async def handle(request: Request) -> Response | None:
    if request.method == "POST" and request.url.path == "/v1/messages":
        return await messages(request)
    return None
