"""Read a WebSocket message to an AI host as a NormalizedRequest, so DLP scans and redacts it
the way it does request bodies.

Text and binary messages alike: a binary message is read by its content (files.py), so JSON or
text sent as a binary frame is scanned like a text frame, media passes, and anything else is
unreadable and goes by the policy's `dlp.unreadable`. JSON messages (OpenAI Realtime and Gemini
Live events) are read like a JSON body with no known layout: every string is prompt except
identifiers and payloads, which the sweep takes (base64 audio and images are media; raw PCM
audio counts as media under an `audio` key or a declared raw audio type). Other text is one
segment. JSON that is not valid text (a lone surrogate escape) is refused.
"""

from __future__ import annotations

from warden.errors import MalformedBody
from warden.schemas.files import read_file
from warden.schemas.jsonbody import load_json
from warden.schemas.normalized import EndpointKind, Inner, NormalizedRequest, Segment
from warden.schemas.segments import Found

__all__ = ["message_request"]


def message_request(provider: str, content: bytes, *, is_text: bool) -> NormalizedRequest:
    """Raise MalformedBody for a message that claims to be JSON but cannot be read as such."""
    request = NormalizedRequest(provider, "websocket", EndpointKind.REALTIME, body_format="text")
    if is_text:
        text = content.decode("utf-8", "surrogateescape")
    else:
        reading = read_file(content)
        if reading.kind != "text" or not reading.texts[0].redactable:
            # Media (and its printable runs), a document, or text Warden cannot rewrite.
            request.body_format = "binary"
            request.attachments = int(reading.kind in ("media", "empty"))
            for piece in reading.texts:
                at = ("body", Inner(piece.where or reading.detail))
                segment = Segment(at, piece.text, redactable=False, prose=piece.prose)
                (request.segments if piece.prose else request.other).append(segment)
            if reading.kind == "unreadable":
                request.unreadable.append(f"a binary WebSocket message ({reading.detail})")
            request.unreadable += (f"a binary WebSocket message: {n}" for n in reading.unreadable)
            return request
        text = reading.texts[0].text
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            doc = load_json(text.encode("utf-8", "surrogateescape"))
        except MalformedBody:
            if stripped.rstrip()[-1:] in ("}", "]"):
                raise  # JSON Warden cannot read the way the server will: not forwarded
            doc = None
        if doc is not None:
            request.body_format = "json"
            found = Found()
            found.walk((), doc)
            found.sweep(doc)
            request.segments, request.other = found.segments, found.other
            request.unreadable = found.unreadable
            return request
    if text:
        request.segments.append(Segment(("body",), text))
    return request
