"""Turn request bytes into a JSON document, refusing anything Warden could misread."""

from __future__ import annotations

import json
import re
from typing import Any

from warden.errors import MalformedBody

__all__ = ["MAX_DEPTH", "load_json", "too_deep"]

# Real API bodies nest a dozen levels at most; hostile nesting must not exhaust the stack.
MAX_DEPTH = 64
# A surrogate can only reach a body as a \uXXXX escape: raw UTF-8 cannot encode one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def too_deep() -> MalformedBody:
    return MalformedBody(f"JSON nested deeper than {MAX_DEPTH} levels")


def load_json(body: bytes) -> Any:
    """Parse a UTF-8 JSON body whose keys are unique and whose nesting stays under MAX_DEPTH."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedBody(
            f"request body is not valid UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start})"
        ) from None
    try:
        doc = json.loads(text, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise too_deep() from None
    except ValueError as exc:  # JSONDecodeError, and ints past Python's digit limit
        raise MalformedBody(f"request body is not valid JSON: {exc}") from None
    # The nesting cannot be deeper than the number of brackets opened (strings included):
    # a body with few of them needs no walk.
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH:
        _check_depth(doc)
    if _SURROGATE_ESCAPE.search(body):
        _check_surrogates(doc)
    return doc


def _check_surrogates(doc: Any) -> None:
    # A pair of escapes (\ud83d\ude00) decodes to one character; a lone half decodes to a
    # string no UTF-8 encoder accepts, which DLP, redaction and the provider would each treat
    # differently. Refused before anything reads it.
    stack = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            texts = [value]
        elif isinstance(value, dict):
            texts = list(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
            continue
        else:
            continue
        if any(_SURROGATE.search(text) for text in texts):
            raise MalformedBody(
                "request body is not valid JSON text: it escapes half of a UTF-16 surrogate "
                "pair (\\ud800-\\udfff) that no character completes"
            )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which duplicate wins; a key given twice could show Warden one value and
    # the provider another, so such bodies are refused.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedBody(f"request body repeats the key {key!r} in one JSON object")
            seen.add(key)
    return obj


def _check_depth(doc: Any) -> None:
    stack = [(doc, 1)] if isinstance(doc, dict | list) else []
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if depth > MAX_DEPTH:
            raise too_deep()
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
