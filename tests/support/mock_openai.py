"""api.openai.com wire format: chat completions (plain and SSE), responses, embeddings, models."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.support.mock_common import (
    count_words,
    delay_seconds,
    dumps,
    echo_reply,
    error_response,
    new_id,
    now,
    read_json,
    reply_pieces,
    sse_response,
    text_of_parts,
    words,
)

MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1", "text-embedding-3-small")
EMBEDDING_DIM = 8


def _chat_texts(messages: list[Any]) -> tuple[list[str], str]:
    """All message texts (for prompt_tokens) and the last user message text (to echo)."""
    all_texts: list[str] = []
    last_user = ""
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        texts = text_of_parts(msg.get("content"))
        all_texts += texts
        if msg.get("role") == "user":
            last_user = " ".join(texts)
    return all_texts, last_user


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


async def chat_completions(request: Request) -> Response:
    body = await read_json(request)
    if body is None or not isinstance(body.get("messages"), list):
        return error_response(400, "messages is required")
    model = str(body.get("model", "gpt-4o-mini"))
    texts, last_user = _chat_texts(body["messages"])
    reply = echo_reply(last_user)
    usage = _usage(count_words(texts), len(words(reply)))
    cid, created = new_id("chatcmpl-"), now()
    if not body.get("stream"):
        return JSONResponse(
            {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
                "system_fingerprint": "fp_mock",
            }
        )

    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        c: dict[str, Any] = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_mock",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            c["usage"] = None  # as upstream: every chunk carries the key, only the last a value
        return c

    chunks = []
    for i, piece in enumerate(reply_pieces(reply)):
        delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
        chunks.append(chunk(delta, None))
    chunks.append(chunk({}, "stop"))
    if include_usage:
        final = chunk({}, None)
        final["choices"] = []
        final["usage"] = usage
        chunks.append(final)
    events = [f"data: {dumps(c)}\n\n" for c in chunks] + ["data: [DONE]\n\n"]
    return sse_response(events, delay_seconds(request))


def _responses_texts(body: dict[str, Any]) -> tuple[list[str], str]:
    texts: list[str] = []
    if isinstance(body.get("instructions"), str):
        texts.append(body["instructions"])
    items = body.get("input")
    if isinstance(items, str):
        return [*texts, items], items
    last_user = ""
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        item_texts = text_of_parts(item.get("content"))
        texts += item_texts
        if item.get("role") == "user":
            last_user = " ".join(item_texts)
    return texts, last_user


async def responses(request: Request) -> Response:
    body = await read_json(request)
    if body is None or "input" not in body:
        return error_response(400, "input is required")
    if body.get("stream"):
        return error_response(400, "the mock does not stream the Responses API")
    texts, last_user = _responses_texts(body)
    reply = echo_reply(last_user)
    n_in, n_out = count_words(texts), len(words(reply))
    return JSONResponse(
        {
            "id": new_id("resp_"),
            "object": "response",
            "created_at": now(),
            "status": "completed",
            "model": str(body.get("model", "gpt-4o-mini")),
            "output": [
                {
                    "type": "message",
                    "id": new_id("msg_"),
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": reply, "annotations": []}],
                }
            ],
            "usage": {
                "input_tokens": n_in,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": n_out,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": n_in + n_out,
            },
            "error": None,
            "incomplete_details": None,
            "instructions": body.get("instructions"),
            "metadata": {},
            "parallel_tool_calls": True,
            "temperature": 1.0,
            "top_p": 1.0,
            "tool_choice": "auto",
            "tools": [],
            "text": {"format": {"type": "text"}},
        }
    )


def _vector(text: str) -> list[float]:
    # Deterministic per input so tests can compare, no real semantics needed.
    digest = hashlib.sha256(text.encode()).digest()
    return [round(b / 255.0, 6) for b in digest[:EMBEDDING_DIM]]


async def embeddings(request: Request) -> Response:
    body = await read_json(request)
    raw = body.get("input") if body else None
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        return error_response(400, "input must be a string or a list of strings")
    as_base64 = body is not None and body.get("encoding_format") == "base64"
    data = []
    for i, text in enumerate(inputs):
        vec: Any = _vector(text)
        if as_base64:  # the official SDK asks for base64 float32 by default
            vec = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode()
        data.append({"object": "embedding", "index": i, "embedding": vec})
    n = count_words(inputs)
    return JSONResponse(
        {
            "object": "list",
            "data": data,
            "model": str(body.get("model", "text-embedding-3-small")) if body else "",
            "usage": {"prompt_tokens": n, "total_tokens": n},
        }
    )


async def models(request: Request) -> Response:
    data = [
        {"id": m, "object": "model", "created": 1700000000, "owned_by": "openai"} for m in MODELS
    ]
    return JSONResponse({"object": "list", "data": data})


async def files(request: Request) -> Response:
    """Files API upload: the mock keeps nothing, it only says what it received."""
    body = await request.body()
    return JSONResponse(
        {
            "id": new_id("file-"),
            "object": "file",
            "bytes": len(body),
            "created_at": now(),
            "filename": "upload",
            "purpose": "assistants",
            "status": "processed",
        }
    )


async def image_edits(request: Request) -> Response:
    await request.body()
    return JSONResponse({"created": now(), "data": [{"b64_json": "iVBORw0KGgo="}]})


ROUTES = {
    ("POST", "/v1/chat/completions"): chat_completions,
    ("POST", "/v1/responses"): responses,
    ("POST", "/v1/embeddings"): embeddings,
    ("GET", "/v1/models"): models,
    ("POST", "/v1/files"): files,
    ("POST", "/v1/images/edits"): image_edits,
}


async def handle(request: Request) -> Response | None:
    endpoint = ROUTES.get((request.method, request.url.path))
    return await endpoint(request) if endpoint else None
