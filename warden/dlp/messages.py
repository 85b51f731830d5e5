"""Read a WebSocket text message to an AI host as a NormalizedRequest, so DLP scans and
redacts it the way it does request bodies.

JSON messages (OpenAI Realtime and Gemini Live events) contribute every string value except
identifiers and media: base64 audio and images are not text anyone typed, and are large.
Other text messages are one segment.
"""

from __future__ import annotations

import json
from typing import Any

from warden.schemas.jsonbody import MAX_DEPTH
from warden.schemas.normalized import EndpointKind, JsonPath, NormalizedRequest, Segment
from warden.schemas.segments import NOT_TEXT_KEYS

__all__ = ["message_request"]

# Keys whose values are media or protocol fields in realtime APIs, not text.
_MEDIA_KEYS = frozenset({"audio", "data", "mimeType", "mime_type", "image_url", "event_id"})


def message_request(provider: str, text: str) -> NormalizedRequest:
    request = NormalizedRequest(provider, "websocket", EndpointKind.REALTIME, body_format="text")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict | list):
        request.body_format = "json"
        _walk((), doc, request.segments)
    elif text:
        request.segments.append(Segment(("body",), text))
    return request


def _walk(path: JsonPath, value: Any, out: list[Segment]) -> None:
    if len(path) > MAX_DEPTH:
        return
    if isinstance(value, str):
        if value:
            out.append(Segment(path, value))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_TEXT_KEYS and key not in _MEDIA_KEYS:
                _walk((*path, key), item, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk((*path, index), item, out)
