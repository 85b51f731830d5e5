"""The private API behind the ChatGPT web and desktop apps (chatgpt.com, chat.openai.com)."""

from __future__ import annotations

import re
from typing import Any

from warden.schemas.normalized import EndpointKind as Kind
from warden.schemas.routing import Route
from warden.schemas.segments import Found, dicts, member

__all__ = ["read_conversation", "route"]


def read_conversation(doc: Any, found: Found) -> None:
    """messages[].content.parts[] that are strings; dict parts are images and files."""
    for i, message in dicts(member(doc, "messages")):
        role = member(message.get("author"), "role")
        role = role if isinstance(role, str) else None
        parts = member(message.get("content"), "parts")
        if isinstance(parts, list):
            for j, part in enumerate(parts):
                found.text(("messages", i, "content", "parts", j), part, role)


# Logged-out ChatGPT posts to /backend-anon with the same body.
_CONVERSATION = re.compile(r"^/backend-(api|anon)/(f/)?conversation$")
_FILES = re.compile(r"^/backend-api/files(/|$)")


def route(path: str, query: str) -> Route:
    """Route a ChatGPT web path."""
    if _CONVERSATION.match(path):
        # The web app always streams its answer, whatever the body says.
        return Route(
            "chatgpt_web.conversation", Kind.CHAT, read_conversation, json=True, stream=True
        )
    if _FILES.match(path):
        return Route("chatgpt_web.files", Kind.FILE_UPLOAD)
    return Route("chatgpt_web.other", Kind.OTHER)
