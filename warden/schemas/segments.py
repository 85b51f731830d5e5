"""Collect the user-controlled text of a parsed body as Segments."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from warden.schemas.jsonbody import MAX_DEPTH, too_deep
from warden.schemas.normalized import EndpointKind, JsonPath, Segment

__all__ = ["NOT_TEXT_KEYS", "Found", "Reader", "dicts", "member", "read_everything", "read_fields"]

# Keys whose string values name or label things rather than carry anything a person wrote.
NOT_TEXT_KEYS = frozenset({"model", "id", "object", "type", "role", "version", "format"})


@dataclass(slots=True)
class Found:
    """What a reader found in a JSON body."""

    segments: list[Segment] = field(default_factory=list)
    endpoint: EndpointKind | None = None  # set when the body, not the path, decides the endpoint

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
                if key not in NOT_TEXT_KEYS:
                    self.walk((*path, key), item, role)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk((*path, index), item, role)


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
