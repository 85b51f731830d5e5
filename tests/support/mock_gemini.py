"""generativelanguage.googleapis.com wire format: generateContent and streamGenerateContent."""

from __future__ import annotations

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
    read_json,
    reply_pieces,
    sse_response,
    text_of_parts,
    words,
)

# Both API versions share the shape; the Google SDKs default to v1beta.
PREFIXES = ("/v1beta/models/", "/v1/models/")


def _texts(body: dict[str, Any]) -> tuple[list[str], str]:
    texts: list[str] = []
    system = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(system, dict):
        texts += text_of_parts(system.get("parts"))
    last_user = ""
    for content in body.get("contents") or []:
        if not isinstance(content, dict):
            continue
        parts = text_of_parts(content.get("parts"))
        texts += parts
        if content.get("role", "user") == "user":
            last_user = " ".join(parts)
    return texts, last_user


def _chunk(model: str, rid: str, text: str, finish: bool, usage: dict[str, int]) -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "content": {"role": "model", "parts": [{"text": text}]},
        "index": 0,
    }
    if finish:
        candidate["finishReason"] = "STOP"
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": rid,
    }


def _usage(n_in: int, n_out: int) -> dict[str, int]:
    return {
        "promptTokenCount": n_in,
        "candidatesTokenCount": n_out,
        "totalTokenCount": n_in + n_out,
    }


async def generate(request: Request, model: str, stream: bool) -> Response:
    body = await read_json(request)
    if body is None or not isinstance(body.get("contents"), list):
        return error_response(400, "contents is required", "INVALID_ARGUMENT")
    texts, last_user = _texts(body)
    reply = echo_reply(last_user)
    n_in, rid = count_words(texts), new_id("")
    if not stream:
        return JSONResponse(_chunk(model, rid, reply, True, _usage(n_in, len(words(reply)))))

    pieces = reply_pieces(reply)
    # Upstream repeats usageMetadata on every chunk with running totals; the last one is final.
    chunks = [
        _chunk(model, rid, piece, i == len(pieces) - 1, _usage(n_in, i + 1))
        for i, piece in enumerate(pieces)
    ]
    if request.query_params.get("alt") != "sse":
        # Without alt=sse the API streams one JSON array; buffering it is faithful enough here.
        return JSONResponse(chunks)
    # Google frames SSE with CRLF, which catches parsers that only split on "\n\n".
    events = [f"data: {dumps(c)}\r\n\r\n" for c in chunks]
    return sse_response(events, delay_seconds(request))


async def handle(request: Request) -> Response | None:
    path = request.url.path
    prefix = next((p for p in PREFIXES if path.startswith(p)), None)
    if request.method != "POST" or prefix is None or ":" not in path:
        return None
    model, _, method = path[len(prefix) :].rpartition(":")
    if method == "generateContent":
        return await generate(request, model, stream=False)
    if method == "streamGenerateContent":
        return await generate(request, model, stream=True)
    return None
