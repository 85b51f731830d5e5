"""The OpenAI API, as spoken by OpenAI, Azure OpenAI and every OpenAI-compatible provider."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, unquote

from warden.schemas.normalized import EndpointKind as Kind
from warden.schemas.routing import Route
from warden.schemas.segments import Found, dicts, member, read_fields

__all__ = ["read_chat", "route"]

# Chat message parts that hold text; image, audio and file parts are not read.
_TEXT_PARTS = ("text", "input_text", "output_text")  # a tuple: "type" may be unhashable


def read_chat(doc: Any, found: Found) -> None:
    """Chat Completions: messages[].content (string or parts) and tool call arguments."""
    for i, message in dicts(member(doc, "messages")):
        role = _role(message)
        content = message.get("content")
        if isinstance(content, str):
            found.text(("messages", i, "content"), content, role)
        for j, part in dicts(content):
            if part.get("type") in _TEXT_PARTS:
                found.text(("messages", i, "content", j, "text"), part.get("text"), role)
        for k, call in dicts(message.get("tool_calls")):
            arguments = member(call.get("function"), "arguments")
            found.text(("messages", i, "tool_calls", k, "function", "arguments"), arguments, role)
        legacy = member(message.get("function_call"), "arguments")  # pre-tools function calling
        found.text(("messages", i, "function_call", "arguments"), legacy, role)


def read_responses(doc: Any, found: Found) -> None:
    """Responses API: instructions, and input as a string or a list of items."""
    found.text(("instructions",), member(doc, "instructions"), "system")
    items = member(doc, "input")
    if isinstance(items, str):
        found.text(("input",), items, "user")
    for i, item in dicts(items):
        kind = item.get("type")
        if kind == "function_call":
            found.text(("input", i, "arguments"), item.get("arguments"), "assistant")
        elif kind == "function_call_output":
            _read_parts(("input", i, "output"), item.get("output"), "tool", found)
        elif kind in (None, "message"):
            _read_parts(("input", i, "content"), item.get("content"), _role(item), found)


def _read_parts(path: tuple[str | int, ...], value: Any, role: str | None, found: Found) -> None:
    if isinstance(value, str):
        found.text(path, value, role)
    for j, part in dicts(value):
        if part.get("type") in _TEXT_PARTS:
            found.text((*path, j, "text"), part.get("text"), role)


def _role(message: dict[str, Any]) -> str | None:
    role = message.get("role")
    return role if isinstance(role, str) else None


# Matched against the end of the path, so any prefix works: /v1, /openai/v1, /api/v1, /inference/v1,
# /openai/deployments/{name}. Checked in order: chat/completions before completions.
_ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(pattern), route)
    for pattern, route in [
        (r"/chat/completions$", Route("openai.chat", Kind.CHAT, read_chat, json=True)),
        (r"/responses$", Route("openai.responses", Kind.CHAT, read_responses, json=True)),
        (
            r"/completions$",
            Route(
                "openai.completions", Kind.COMPLETION, read_fields("prompt", "suffix"), json=True
            ),
        ),
        (
            r"/embeddings$",
            Route("openai.embeddings", Kind.EMBEDDING, read_fields("input"), json=True),
        ),
        (
            r"/images/generations$",
            Route("openai.images", Kind.IMAGE, read_fields("prompt"), json=True),
        ),
        (r"/images/(edits|variations)$", Route("openai.images", Kind.IMAGE, read_fields("prompt"))),
        (r"/audio/(transcriptions|translations)$", Route("openai.audio", Kind.AUDIO)),
        (
            r"/audio/speech$",
            Route("openai.speech", Kind.AUDIO, read_fields("input", "instructions"), json=True),
        ),
        (r"/(files|uploads)(/|$)", Route("openai.files", Kind.FILE_UPLOAD)),
        (r"/realtime(/|$)", Route("openai.realtime", Kind.REALTIME)),
        (
            r"/moderations$",
            Route("openai.moderations", Kind.OTHER, read_fields("input"), json=True),
        ),
        (r"/models(/|$)", Route("openai.models", Kind.OTHER)),
    ]
]
_OTHER = Route("openai.other", Kind.OTHER)
_AZURE_DEPLOYMENT = re.compile(r"/openai/deployments/([^/]+)/")


def route(path: str, query: str) -> Route:
    """Route an OpenAI-style path by its suffix."""
    chosen = next((r for pattern, r in _ROUTES if pattern.search(path)), _OTHER)
    # Azure names the deployment, not the model, in the path; realtime names it in the query.
    deployment = _AZURE_DEPLOYMENT.search(path)
    if deployment:
        return replace(chosen, default_model=unquote(deployment[1]))
    if chosen.endpoint is Kind.REALTIME:
        params = parse_qs(query)
        named = params.get("model") or params.get("deployment")
        if named:
            return replace(chosen, default_model=named[0])
    return chosen
