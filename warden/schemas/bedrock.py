"""Amazon Bedrock Runtime: the Converse API and InvokeModel with each vendor's native body."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from warden.schemas import anthropic, cohere
from warden.schemas.normalized import EndpointKind as Kind
from warden.schemas.routing import Route
from warden.schemas.segments import Found, dicts, member, read_fields

__all__ = ["read_converse", "route"]


def read_converse(doc: Any, found: Found) -> None:
    """Converse: system[].text and messages[].content[] text, tool use and tool results."""
    for k, block in dicts(member(doc, "system")):
        found.text(("system", k, "text"), block.get("text"), "system")
    for i, message in dicts(member(doc, "messages")):
        role = message.get("role")
        role = role if isinstance(role, str) else None
        for j, block in dicts(message.get("content")):
            at = ("messages", i, "content", j)
            found.text((*at, "text"), block.get("text"), role)
            found.walk((*at, "toolUse", "input"), member(block.get("toolUse"), "input"), role)
            result = member(block.get("toolResult"), "content")
            for k, item in dicts(result):
                found.text((*at, "toolResult", "content", k, "text"), item.get("text"), "tool")
                found.walk((*at, "toolResult", "content", k, "json"), item.get("json"), "tool")


_read_prompt = read_fields("prompt", "inputText")
_read_embed = read_fields("inputText", "texts")


def read_invoke(doc: Any, found: Found) -> None:
    """InvokeModel: the body is whatever the model's vendor defines, so go by its shape."""
    if isinstance(member(doc, "messages"), list):  # Anthropic, Nova, Mistral, Jamba, gpt-oss
        found.endpoint = Kind.CHAT
        anthropic.read_messages(doc, found)
    elif isinstance(member(doc, "message"), str):  # Cohere Command R
        found.endpoint = Kind.CHAT
        cohere.read_chat(doc, found)
    elif isinstance(member(doc, "prompt") or member(doc, "inputText"), str):  # Llama, Titan
        found.endpoint = Kind.COMPLETION
        _read_prompt(doc, found)
    else:
        found.walk((), doc)


def read_invoke_embed(doc: Any, found: Found) -> None:
    """InvokeModel on an embedding model: Titan's inputText or Cohere's texts."""
    if isinstance(member(doc, "inputText"), str) or isinstance(member(doc, "texts"), list):
        _read_embed(doc, found)
    else:
        found.walk((), doc)


_MODEL_CALL = re.compile(
    r"/model/([^/]+)/(converse|converse-stream|invoke|invoke-with-response-stream)$"
)


def route(path: str, query: str) -> Route:
    """Route a Bedrock Runtime path; the model id is URL-encoded in it."""
    match = _MODEL_CALL.search(path)
    if match is None:
        return Route("bedrock.other", Kind.OTHER)
    model, action = unquote(match[1]), match[2]
    stream = action.endswith("-stream")
    if action.startswith("converse"):
        return Route(
            "bedrock.converse", Kind.CHAT, read_converse, json=True, model=model, stream=stream
        )
    if "embed" in model.lower():
        read, kind = read_invoke_embed, Kind.EMBEDDING
    else:
        read, kind = read_invoke, Kind.OTHER
    return Route("bedrock.invoke", kind, read, json=True, model=model, stream=stream)
