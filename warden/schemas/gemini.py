"""Google's Gemini API: AI Studio (generativelanguage) and Vertex AI (aiplatform)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from warden.schemas import anthropic, openai
from warden.schemas.normalized import EndpointKind as Kind
from warden.schemas.normalized import JsonPath
from warden.schemas.routing import Route
from warden.schemas.segments import Found, dicts, member

__all__ = ["read_generate", "route"]

# Gemini says "model" where the other schemas say "assistant".
_ROLES = {"model": "assistant", "function": "tool"}


def read_generate(doc: Any, found: Found) -> None:
    """generateContent: contents[].parts[] and the system instruction."""
    _read_request(doc, (), found)


def _read_request(doc: Any, path: JsonPath, found: Found) -> None:
    for i, content in dicts(member(doc, "contents")):
        _read_content((*path, "contents", i), content, None, found)
    for key in ("systemInstruction", "system_instruction"):
        system = member(doc, key)
        if isinstance(system, str):
            found.text((*path, key), system, "system")
        _read_content((*path, key), system, "system", found)


def _read_content(path: JsonPath, content: Any, role: str | None, found: Found) -> None:
    named = member(content, "role")
    if isinstance(named, str):
        role = _ROLES.get(named, named)
    for j, part in dicts(member(content, "parts")):
        at = (*path, "parts", j)
        found.text((*at, "text"), part.get("text"), role)
        for key in ("functionCall", "function_call"):
            found.walk((*at, key, "args"), member(part.get(key), "args"), "assistant")
        for key in ("functionResponse", "function_response"):
            found.walk((*at, key, "response"), member(part.get(key), "response"), "tool")


def read_embed(doc: Any, found: Found) -> None:
    """embedContent's content, or batchEmbedContents' requests[].content."""
    _read_content(("content",), member(doc, "content"), None, found)
    for i, request in dicts(member(doc, "requests")):
        _read_content(("requests", i, "content"), request.get("content"), None, found)


def read_count_tokens(doc: Any, found: Found) -> None:
    """countTokens takes contents directly or inside a whole generateContentRequest."""
    _read_request(doc, (), found)
    _read_request(member(doc, "generateContentRequest"), ("generateContentRequest",), found)


# .../models/{model}:{method}, also tunedModels/{name} and Vertex endpoints/{id}.
_METHOD = re.compile(r"/(models|tunedModels|endpoints)/([^/:]+):([A-Za-z]+)$")
_CACHED_CONTENTS = re.compile(r"/cachedContents(/|$)")
_FILES = re.compile(r"/files(/|$)")
_MODELS = re.compile(r"/models(/[^/:]+)?$")


def route(path: str, query: str) -> Route:
    """Route a Gemini path; the model and the method sit in the path."""
    if "/endpoints/openapi/" in path:  # Vertex AI's OpenAI-compatible surface
        return openai.route(path, query)
    call = _METHOD.search(path)
    if call is None:
        if _CACHED_CONTENTS.search(path):
            return Route("gemini.cached_contents", Kind.OTHER, read_generate)
        if _FILES.search(path):
            return Route("gemini.files", Kind.FILE_UPLOAD)
        if _MODELS.search(path):
            return Route("gemini.models", Kind.OTHER)
        return Route("gemini.other", Kind.OTHER)
    kind, name, method = call.groups()
    model = unquote(name) if kind == "models" else f"{kind}/{unquote(name)}"
    match method:
        case "generateContent" | "streamGenerateContent":
            stream = method == "streamGenerateContent"
            return Route(
                "gemini.generate", Kind.CHAT, read_generate, json=True, model=model, stream=stream
            )
        case "embedContent" | "batchEmbedContents":
            return Route(
                "gemini.embed", Kind.EMBEDDING, read_embed, json=True, model=model, stream=False
            )
        case "countTokens":
            return Route(
                "gemini.count_tokens", Kind.OTHER, read_count_tokens, json=True, model=model
            )
        case "rawPredict" | "streamRawPredict" if "/publishers/anthropic/" in path:
            # Claude on Vertex AI: an Anthropic Messages body behind a Vertex path.
            stream = True if method == "streamRawPredict" else None
            return Route(
                "anthropic.messages",
                Kind.CHAT,
                anthropic.read_messages,
                json=True,
                model=model,
                stream=stream,
            )
    return Route("gemini.other", Kind.OTHER, model=model)
