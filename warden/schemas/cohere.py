"""Cohere's API: Chat v1 and v2, Embed and Generate."""

from __future__ import annotations

import re
from typing import Any

from warden.schemas.normalized import EndpointKind as Kind
from warden.schemas.routing import Route
from warden.schemas.segments import Found, dicts, member, read_fields

__all__ = ["read_chat", "route"]

# Chat v1 roles, normalised to the names the other schemas use.
_V1_ROLES = {"USER": "user", "CHATBOT": "assistant", "SYSTEM": "system", "TOOL": "tool"}


def read_chat(doc: Any, found: Found) -> None:
    """v2 messages[]; v1 preamble, chat_history[] and message; documents in either."""
    found.text(("preamble",), member(doc, "preamble"), "system")
    for i, turn in dicts(member(doc, "chat_history")):
        role = turn.get("role")
        role = _V1_ROLES.get(role, role) if isinstance(role, str) else None
        found.text(("chat_history", i, "message"), turn.get("message"), role)
    found.text(("message",), member(doc, "message"), "user")
    for i, message in dicts(member(doc, "messages")):
        role = message.get("role")
        role = role if isinstance(role, str) else None
        content = message.get("content")
        if isinstance(content, str):
            found.text(("messages", i, "content"), content, role)
        for j, part in dicts(content):
            if part.get("type") == "text":
                found.text(("messages", i, "content", j, "text"), part.get("text"), role)
        for k, call in dicts(message.get("tool_calls")):
            arguments = member(call.get("function"), "arguments")
            found.text(("messages", i, "tool_calls", k, "function", "arguments"), arguments, role)
    found.walk(("documents",), member(doc, "documents"))  # retrieval text the user supplies


def read_embed(doc: Any, found: Found) -> None:
    """texts[], or v2 inputs[].content[] text parts."""
    read_fields("texts")(doc, found)
    for i, item in dicts(member(doc, "inputs")):
        for j, part in dicts(item.get("content")):
            if part.get("type") == "text":
                found.text(("inputs", i, "content", j, "text"), part.get("text"))


_ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(pattern), route)
    for pattern, route in [
        (r"/v[12]/chat$", Route("cohere.chat", Kind.CHAT, read_chat, json=True)),
        (r"/v[12]/embed$", Route("cohere.embed", Kind.EMBEDDING, read_embed, json=True)),
        (
            r"/v1/generate$",
            Route("cohere.generate", Kind.COMPLETION, read_fields("prompt"), json=True),
        ),
    ]
]
_OTHER = Route("cohere.other", Kind.OTHER)


def route(path: str, query: str) -> Route:
    """Route a Cohere API path."""
    return next((r for pattern, r in _ROUTES if pattern.search(path)), _OTHER)
