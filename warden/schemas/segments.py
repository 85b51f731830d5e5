"""Collect the text of a parsed body as Segments: the prompt a schema reader knows, then the rest.

A schema reader says where the prompt is (`text`, `walk`): that is what policies count, alerts
read and the audit log captures. It never says where text is *allowed* to hide: `sweep` then
visits every string value and every object key in the document, and whatever the reader did
not take and is not known to be harmless (identifiers.py) becomes an `other` segment, which
DLP scans like the prompt (identifiers in their shape for patterns only). Base64 payloads
(data: URLs, `data` fields) are decoded and read by their content (payloads.py): media
passes, text and documents are scanned, the rest is recorded as unreadable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from warden.schemas.identifiers import (
    ENUM_KEYS,
    IDENTIFIER_KEYS,
    ValueKind,
    is_plain_key,
    value_kind,
)
from warden.schemas.jsonbody import MAX_DEPTH, too_deep
from warden.schemas.normalized import EndpointKind, Inner, JsonPath, KeyOf, Segment, render_path
from warden.schemas.payloads import PayloadKind, declared_media, may_be_payload, read_payload

__all__ = ["NOT_TEXT_KEYS", "Found", "Reader", "dicts", "member", "read_everything", "read_fields"]

# Keys whose values are labels, not prose: `walk` leaves them to `sweep`, which scans them
# unless they fit their identifier's shape.
NOT_TEXT_KEYS = IDENTIFIER_KEYS | ENUM_KEYS
# Blocks whose `data` is the provider's own encrypted content, handed back unchanged.
_OPAQUE_BLOCKS = ("redacted_thinking",)  # a tuple: "type" may be any JSON value


@dataclass(slots=True)
class Found:
    """What a reader found in a JSON body."""

    segments: list[Segment] = field(default_factory=list)  # the prompt
    other: list[Segment] = field(default_factory=list)  # every other string not known harmless
    endpoint: EndpointKind | None = None  # set when the body, not the path, decides the endpoint
    unreadable: list[str] = field(default_factory=list)  # payloads that could not be read
    media: int = 0  # payloads that decoded as images, audio or video

    def text(self, path: JsonPath, value: Any, role: str | None = None) -> None:
        """Record `value` if it is a non-empty string."""
        if isinstance(value, str) and value:
            self.segments.append(Segment(path, value, role))

    def walk(self, path: JsonPath, value: Any, role: str | None = None) -> None:
        """Record every string under `value`, skipping NOT_TEXT_KEYS."""
        if len(path) > MAX_DEPTH:
            raise too_deep()
        if isinstance(value, str):
            self.text(path, value, role)
        elif isinstance(value, dict):
            own_role = value.get("role")
            role = own_role if isinstance(own_role, str) else role
            for key, item in value.items():
                # Labels and payloads are the sweep's: it scans them unless they are harmless.
                if key in NOT_TEXT_KEYS or (isinstance(item, str) and may_be_payload(key, item)):
                    continue
                self.walk((*path, key), item, role)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk((*path, index), item, role)

    def sweep(self, doc: Any) -> None:
        """Every string and key in `doc` that the reader did not take, unless known harmless."""
        taken = {segment.path for segment in self.segments}
        # (path, value, the key it sits under, that object's declared media type)
        stack: list[tuple[JsonPath, Any, str | int | None, str | None]] = [((), doc, None, None)]
        while stack:
            path, value, key, media = stack.pop()
            if isinstance(value, str):
                if not value or path in taken:
                    continue
                kind = value_kind(key, value)
                if kind is ValueKind.IDENTIFIER:
                    self.other.append(Segment(path, value, prose=False))
                elif kind is ValueKind.TEXT:
                    self._other(path, key, value, media)
            elif isinstance(value, dict):
                media = declared_media(value)
                opaque = value.get("type") in _OPAQUE_BLOCKS
                self.other += (Segment((*path, KeyOf(n)), n) for n in value if not is_plain_key(n))
                for name, item in reversed(value.items()):  # reversed: popped in order
                    if opaque and name == "data" and isinstance(item, str):
                        # Encrypted and signed by the provider: scanned as it stands (it holds
                        # nothing readable), never decoded as a file that would be unreadable.
                        self.other.append(Segment((*path, name), item))
                        continue
                    stack.append(((*path, name), item, name, media))
            elif isinstance(value, list):
                stack.extend(
                    ((*path, index), item, key, media)
                    for index, item in reversed(list(enumerate(value)))
                )

    def _other(self, path: JsonPath, key: str | int | None, value: str, media: str | None) -> None:
        payload = read_payload(key, value, media)
        if payload is None:
            self.other.append(Segment(path, value))
            return
        if payload.kind is PayloadKind.MEDIA:
            self.media += 1
        elif payload.kind is PayloadKind.UNREADABLE:
            self.unreadable.append(f"{render_path(path)} ({payload.detail})")
            self.other.append(Segment(path, value))  # and scanned as it is, all the same
        # Text read out of a decoded payload is prompt (an attached document); it cannot be
        # rewritten inside its base64, so a rule that redacts refuses the request.
        for piece in payload.texts:
            at = (*path, Inner(piece.where or payload.detail))
            found = Segment(at, piece.text, redactable=False, prose=piece.prose)
            (self.segments if piece.prose else self.other).append(found)
        self.unreadable += (f"{render_path(path)}: {name}" for name in payload.unreadable)


# Reads one schema's JSON document into a Found.
type Reader = Callable[[Any, Found], None]


def member(value: Any, key: str) -> Any:
    """value[key] when value is an object, else None: bodies are untrusted, shapes may be wrong."""
    return value.get(key) if isinstance(value, dict) else None


def dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects in a list with their indexes; anything else yields nothing."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def read_everything(doc: Any, found: Found) -> None:
    """The reader for bodies with no known layout: every string counts."""
    found.walk((), doc)


def read_fields(*keys: str) -> Reader:
    """A reader for bodies whose text sits in top-level fields: a string or a list of them."""

    def read(doc: Any, found: Found) -> None:
        for key in keys:
            value = member(doc, key)
            if not isinstance(value, list):
                found.text((key,), value)
                continue
            for index, item in enumerate(value):
                found.text((key, index), item)
                found.text((key, index, "text"), member(item, "text"))  # {"type": "text"} parts

    return read
