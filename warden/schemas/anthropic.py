"""The Anthropic Messages API (also the body format of Claude on Bedrock and Vertex AI)."""

from __future__ import annotations

import re
from typing import Any

from warden.schemas.normalized import EndpointKind as Kind
from warden.schemas.normalized import JsonPath
from warden.schemas.routing import Route
from warden.schemas.segments import Found, dicts, member, read_fields

__all__ = ["read_messages", "route"]


def read_messages(doc: Any, found: Found) -> None:
    """system, and messages[].content as a string or content blocks."""
    system = member(doc, "system")
    if isinstance(system, str):
        found.text(("system",), system, "system")
    _read_blocks(("system",), system, "system", found)
    for i, message in dicts(member(doc, "messages")):
        role = message.get("role")
        role = role if isinstance(role, str) else None
        content = message.get("content")
        if isinstance(content, str):
            found.text(("messages", i, "content"), content, role)
        _read_blocks(("messages", i, "content"), content, role, found)


def _read_blocks(path: JsonPath, blocks: Any, role: str | None, found: Found) -> None:
    for j, block in dicts(blocks):
        at = (*path, j)
        kind = block.get("type")
        if kind in ("text", None):  # no type: Amazon Nova's {"text": ...} blocks on Bedrock
            found.text((*at, "text"), block.get("text"), role)
        elif kind in ("tool_use", "server_tool_use"):
            found.walk((*at, "input"), block.get("input"), role)
        elif kind == "tool_result":
            content = block.get("content")
            if isinstance(content, str):
                found.text((*at, "content"), content, "tool")
            _read_blocks((*at, "content"), content, "tool", found)
        elif kind == "document":  # plain-text documents are text the user attached
            source = block.get("source")
            if member(source, "type") == "text":
                found.text((*at, "source", "data"), member(source, "data"), role)
            elif member(source, "type") == "content":
                _read_blocks((*at, "source", "content"), member(source, "content"), role, found)


_ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(pattern), route)
    for pattern, route in [
        (r"/v1/messages$", Route("anthropic.messages", Kind.CHAT, read_messages, json=True)),
        (
            r"/v1/messages/count_tokens$",
            Route("anthropic.count_tokens", Kind.OTHER, read_messages, json=True),
        ),
        (
            r"/v1/complete$",
            Route("anthropic.complete", Kind.COMPLETION, read_fields("prompt"), json=True),
        ),
        (r"/v1/files(/|$)", Route("anthropic.files", Kind.FILE_UPLOAD)),
        (r"/v1/models(/|$)", Route("anthropic.models", Kind.OTHER)),
    ]
]
_OTHER = Route("anthropic.other", Kind.OTHER)


def route(path: str, query: str) -> Route:
    """Route an Anthropic API path."""
    return next((r for pattern, r in _ROUTES if pattern.search(path)), _OTHER)
