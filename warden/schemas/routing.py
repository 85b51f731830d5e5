"""Turn a routed request body into a NormalizedRequest, whatever format the body is in."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, replace

from warden.errors import MalformedBody, UnsupportedBody
from warden.schemas.attachments import count_json_attachments, may_hold_attachments
from warden.schemas.envelope import read_form_urlencoded
from warden.schemas.files import FileReading, read_file
from warden.schemas.headers import is_json_type, is_text_type, parse_header
from warden.schemas.identifiers import IDENTIFIER_KEYS, ValueKind, value_kind
from warden.schemas.jsonbody import load_json
from warden.schemas.multipart import Form, FormPart, parse_form
from warden.schemas.normalized import (
    EndpointKind,
    Inner,
    JsonPath,
    NormalizedRequest,
    Segment,
)
from warden.schemas.segments import Found, Reader, read_everything

__all__ = ["Route", "Router", "read_request"]


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
    elif media_type == "application/x-www-form-urlencoded":
        _read_urlencoded(request, body, params.get("charset"))
    elif is_text_type(media_type):
        _read_text(request, body, params.get("charset") or "utf-8")
    else:  # a file sent as the body (an upload): read by what it is, not what it claims
        _read_file_body(request, body, media_type)
    return request


def _read_json(request: NormalizedRequest, route: Route, body: bytes) -> None:
    doc = load_json(body)
    found = Found()
    route.read(doc, found)
    found.sweep(doc)
    request.segments = found.segments
    request.other = found.other
    request.unreadable = found.unreadable
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
        if not codecs.lookup(charset)._is_text_encoding:  # "base64", "zlib", "rot13"...
            raise LookupError(charset)
        text = codecs.decode(body, charset)
    except (LookupError, UnicodeDecodeError):
        raise MalformedBody(f"request body is not valid {charset} text") from None
    if text:
        request.segments = [Segment(("body",), text)]
    # A receiver may well ignore the declared charset: the bytes read as what they look like
    # (UTF-8 called cp500, say) are scanned too, and cannot be rewritten.
    sniffed = read_file(body)
    if sniffed.kind == "text" and sniffed.texts[0].text != text:
        request.other.append(
            Segment(("body", Inner("as sent")), sniffed.texts[0].text, redactable=False)
        )


def _read_urlencoded(request: NormalizedRequest, body: bytes, charset: str | None) -> None:
    """An HTML form's body: each field scanned as the server reads it (percent-decoded)."""
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        # Its escapes would decode to other characters than the UTF-8 Warden reads them as.
        raise UnsupportedBody(f"Warden reads urlencoded forms in UTF-8 only, not {charset}")
    try:
        text = body.decode("ascii")  # percent-encoding leaves nothing else in a valid one
    except UnicodeDecodeError:
        _read_file_body(request, body, "")  # not urlencoded after all: read as what it is
        return
    request.body_format = "urlencoded"
    for index, name, piece in read_form_urlencoded(text):
        request.segments.append(Segment(("form", index, name), piece))


def _read_file_body(request: NormalizedRequest, body: bytes, media_type: str) -> None:
    reading = read_file(body, None, media_type or None)
    request.attachments = 1
    if reading.kind == "text" and len(reading.texts) == 1 and reading.texts[0].redactable:
        request.body_format = "text"  # UTF-8 text: redacted in place like any text body
        request.segments = [Segment(("body",), reading.texts[0].text)]
        return
    request.body_format = "file"
    _add_file(request, ("body",), reading, "the request body")


def _read_form(request: NormalizedRequest, route: Route, form: Form) -> None:
    request.body_format = "multipart"
    if form.outside.strip():  # preamble and epilogue: not the prompt, but they leave too
        outside = NormalizedRequest(request.provider, request.schema, request.endpoint)
        _add_file(outside, ("form", Inner("outside the parts")), read_file(form.outside), "form")
        request.other += (replace(s, redactable=False) for s in outside.segments + outside.other)
        request.unreadable += outside.unreadable
    for index, part in enumerate(form.parts):
        # Every part header (names, filenames, any parameter) leaves with the body too.
        head = part.head.decode("utf-8", "replace")
        request.other.append(Segment(("form", index, "headers"), head, redactable=False))
        if part.filename is None:
            _read_field(request, route, part)
            continue
        request.attachments += 1
        reading = read_file(part.data, part.filename, part.content_type or None)
        _add_file(request, ("form", part.name, "file"), reading, f"file '{part.filename}'")


def _read_field(request: NormalizedRequest, route: Route, part: FormPart) -> None:
    try:
        value = part.data.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8 (a Latin-1 prompt, a binary field): read it as a file would be.
        reading = read_file(part.data, None, part.content_type or None)
        _add_file(request, ("form", part.name), reading, f"form field '{part.name}'")
        return
    if part.name == "model" and route.model is None and value:
        request.model = value
    if part.name == "stream":  # a flag, not text (audio transcriptions can stream)
        if route.stream is None:
            request.stream = value.strip().lower() == "true"
        if value.strip().lower() in ("true", "false"):
            return
    kind = value_kind(part.name, value) if value else ValueKind.HARMLESS
    if kind is ValueKind.IDENTIFIER:
        request.other.append(Segment(("form", part.name), value, prose=False))
    elif kind is ValueKind.TEXT:
        segment = Segment(("form", part.name), value)
        (request.other if part.name in IDENTIFIER_KEYS else request.segments).append(segment)


def _add_file(request: NormalizedRequest, path: JsonPath, reading: FileReading, what: str) -> None:
    """The text of a file as prompt segments; what could not be read goes on record. Text
    from a file's raw bytes or markup (not prose) is scanned, but is not the prompt."""
    if reading.kind == "unreadable":
        request.unreadable.append(f"{what} ({reading.detail})")
    for piece in reading.texts:
        at = (*path, Inner(piece.where)) if piece.where else path
        segment = Segment(at, piece.text, redactable=piece.redactable, prose=piece.prose)
        (request.segments if piece.prose else request.other).append(segment)
    request.unreadable += (f"{what}: {name}" for name in reading.unreadable)
