"""Turn a routed request body into a NormalizedRequest, whatever format the body is in."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

from warden.errors import MalformedBody, UnsupportedBody
from warden.schemas.attachments import count_json_attachments, may_hold_attachments
from warden.schemas.headers import is_json_type, is_text_type, parse_header
from warden.schemas.jsonbody import load_json
from warden.schemas.multipart import FormPart, parse_form
from warden.schemas.normalized import EndpointKind, NormalizedRequest, Segment
from warden.schemas.segments import NOT_TEXT_KEYS, Found, Reader, read_everything

__all__ = ["Route", "Router", "read_request"]

# File parts Warden reads as text: anything else in a form (audio, images) is passed uninspected.
_TEXT_FILE_TYPES = frozenset({"application/json", "application/jsonl", "application/x-ndjson"})
_TEXT_FILE_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv")


@dataclass(frozen=True, slots=True)
class Route:
    """What a request path means to one schema family."""

    schema: str
    endpoint: EndpointKind
    read: Reader = read_everything  # how a JSON body yields segments
    json: bool = False  # the endpoint takes only JSON, whatever Content-Type the client declares
    model: str | None = None  # named by the path, which is what the provider obeys
    default_model: str | None = None  # used when the body names none (Azure deployments)
    stream: bool | None = None  # decided by the path; None means the body's "stream" flag


# Maps a path (no query) and its query string to a Route.
type Router = Callable[[str, str], Route]


def read_request(
    provider: str, route: Route, content_type: str | None, body: bytes
) -> NormalizedRequest:
    """Read a decoded body the way `route` says, or raise RequestRejected."""
    request = NormalizedRequest(
        provider=provider,
        schema=route.schema,
        endpoint=route.endpoint,
        model=route.model or route.default_model,
        stream=bool(route.stream),
    )
    media_type, params = parse_header(content_type)
    if not body:
        request.body_format = "empty"
    elif media_type == "multipart/form-data":
        _read_form(request, route, parse_form(body, params.get("boundary")))
    elif route.json or not media_type or is_json_type(media_type):
        _read_json(request, route, body)
    elif is_text_type(media_type):
        _read_text(request, body, params.get("charset") or "utf-8")
    else:
        raise UnsupportedBody(f"Warden cannot inspect {media_type} request bodies to an AI service")
    return request


def _read_json(request: NormalizedRequest, route: Route, body: bytes) -> None:
    doc = load_json(body)
    found = Found()
    route.read(doc, found)
    request.segments = found.segments
    request.attachments = count_json_attachments(doc) if may_hold_attachments(body) else 0
    if found.endpoint is not None:
        request.endpoint = found.endpoint
    if isinstance(doc, dict):
        model = doc.get("model")
        if route.model is None and isinstance(model, str) and model:
            request.model = model
        if route.stream is None:
            request.stream = doc.get("stream") is True


def _read_text(request: NormalizedRequest, body: bytes, charset: str) -> None:
    request.body_format = "text"
    try:
        text = codecs.decode(body, charset)
    except (LookupError, UnicodeDecodeError):
        raise MalformedBody(f"request body is not valid {charset} text") from None
    if text:
        request.segments = [Segment(("body",), text)]


def _read_form(request: NormalizedRequest, route: Route, parts: list[FormPart]) -> None:
    request.body_format = "multipart"
    for part in parts:
        if part.filename is None:
            try:
                value = part.data.decode("utf-8")
            except UnicodeDecodeError:
                continue  # a binary field: nothing a person typed
            if part.name == "model" and route.model is None and value:
                request.model = value
            if part.name == "stream":  # a flag, not text (audio transcriptions can stream)
                if route.stream is None:
                    request.stream = value.strip().lower() == "true"
            elif value and part.name not in NOT_TEXT_KEYS:
                request.segments.append(Segment(("form", part.name), value))
        else:
            request.attachments += 1
            if _is_text_file(part):
                # utf-8-sig drops a BOM; a file in another charset still shows its ASCII text.
                text = part.data.decode("utf-8-sig", "replace")
                if text:
                    request.segments.append(Segment(("form", part.name, "file"), text))


def _is_text_file(part: FormPart) -> bool:
    if is_text_type(part.content_type) or part.content_type in _TEXT_FILE_TYPES:
        return True
    return (part.filename or "").lower().endswith(_TEXT_FILE_SUFFIXES)
