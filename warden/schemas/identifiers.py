"""Which strings in a request need less than a full scan: identifiers in their strict shape.

Everything that leaves for an AI host is scanned unless Warden knows it is harmless. What it
knows:

- HARMLESS, not scanned at all: protocol words (`type`, `role`, `status`...) made of lower-case
  letters and underscores only, and object keys that are plain field names. Neither can hold
  a key, a number or an address.
- IDENTIFIER, scanned for patterns only (keys, card numbers, addresses...), not for names of
  people: a `model` shaped like a model name, an `id`/`*_id` shaped like a provider object
  id, a UUID or a number, a protocol word with digits ("2023-06-01", "pcm16"). Names are not
  searched there because model names and ids are full of words a name finder takes for
  people ("claude"), and replacing one breaks the request.
- TEXT: everything else, and any of the above that does not fit its shape (a key pasted into
  `model`, an e-mail address in `id`): scanned like any text.
"""

from __future__ import annotations

import functools
import re
from enum import Enum

__all__ = [
    "ENUM_KEYS",
    "IDENTIFIER_KEYS",
    "ValueKind",
    "is_plain_key",
    "looks_random",
    "value_kind",
]

# A run of letters and digits at least this long, holding both, is what keys and tokens are made
# of; model names and field names keep their runs short ("claude", "20241022", "sonnet").
_MIXED_RUN = 16
# Any run this long is random whatever it holds (a hex digest, a letters-only token tail).
_ANY_RUN = 32
_RUN = re.compile(r"[A-Za-z0-9]+")

# Model names: "gpt-4o-mini-2024-07-18", "models/gemini-2.0-flash", "@cf/meta/llama-3-8b",
# "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-v2@20241022" (Vertex),
# "ft:gpt-4o-mini:acme::AbC12345". "@" only at the start or before a version at the end, so
# never an e-mail address; no "//", so never a URL.
_MODEL = re.compile(r"@?(?:[A-Za-z0-9._:+-]|/(?!/))+(?:@\d+)?")
_MODEL_MAX = 128
_LETTER = re.compile(r"[A-Za-z]")
# Object ids: a provider's own prefix and one run of letters and digits ("call_abc123",
# "toolu_01A09q90qw", "chatcmpl-AbC123"), a UUID, or a number. Secret prefixes are not on it.
_ID_PREFIXES = (
    "asst|batch|caption|call|chatcmpl|ci|cmpl|conv|ctc|evt|event|fc|file|fs|ftckpt|ftjob|ig|"
    "img|item|lsh|mcp|mcpr|modr|msg|msgbatch|part|req|resp|rs|run|sess|srvtoolu|step|tc|thread|"
    "toolu|upload|vs|vsfb|ws"
)
_ID = re.compile(
    rf"(?:{_ID_PREFIXES})[_-][A-Za-z0-9]{{4,64}}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d{1,20}"
)
# Protocol words: "input_text", "function_call_output" (harmless); "2023-06-01", "image/png",
# "pcm16" (identifiers: they hold digits or punctuation).
_WORD = re.compile(r"[a-z][a-z_]{0,39}")
_ENUM = re.compile(r"[a-z0-9][a-z0-9_./+:;=-]{0,63}")
# Field names as APIs spell them: snake_case, kebab-case or lowerCamelCase, and no run of
# three digits or more ("ssn-536-22-1234" is data, not a field name).
_PLAIN_KEY = re.compile(r"[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*|[a-z]+[a-z0-9]*(?:[A-Z][a-z0-9]+)+")
_DIGIT_RUN = re.compile(r"\d{3}")
_MAX_KEY = 48

IDENTIFIER_KEYS = frozenset({"model", "id"})
ENUM_KEYS = frozenset(
    {
        "type",
        "object",
        "role",
        "format",
        "version",
        "anthropic_version",
        "status",
        "detail",
        "voice",
        "quality",
        "size",
        "style",
        "tool_choice",
        "reasoning_effort",
        "effort",
        "service_tier",
        "encoding_format",
        "response_format",
        "media_type",
        "mime_type",
        "mimeType",
        "finish_reason",
        "truncation",
        "modalities",
        "language",
        "output_format",
        "input_audio_format",
        "output_audio_format",
    }
)


# The keys whose values have a shape (and "*_id").
_SHAPED = IDENTIFIER_KEYS | ENUM_KEYS


def looks_random(value: str) -> bool:
    """True when `value` holds a run of letters and digits shaped like a key or token."""
    for run in _RUN.findall(value):
        if len(run) >= _ANY_RUN:
            return True
        if len(run) >= _MIXED_RUN and not run.isalpha() and not run.isdigit():
            return True
    return False


class ValueKind(Enum):
    HARMLESS = "harmless"  # not scanned
    IDENTIFIER = "identifier"  # scanned for patterns, not for names
    TEXT = "text"  # scanned like any text


def value_kind(key: str | int | None, value: str) -> ValueKind:
    """How the string under `key` is scanned (see the module docstring)."""
    if not isinstance(key, str) or not (key in _SHAPED or key.endswith("_id")):
        return ValueKind.TEXT
    return _shaped_kind(key, value) if len(value) <= 128 else _value_kind(key, value)


@functools.lru_cache(maxsize=8192)
def _shaped_kind(key: str, value: str) -> ValueKind:
    return _value_kind(key, value)


def _value_kind(key: str, value: str) -> ValueKind:
    if key == "model":
        fits = (
            len(value) <= _MODEL_MAX
            and _MODEL.fullmatch(value) is not None
            and _LETTER.search(value) is not None
            and not looks_random(value)
        )
        return ValueKind.IDENTIFIER if fits else ValueKind.TEXT
    if key in IDENTIFIER_KEYS or key.endswith("_id"):
        return ValueKind.IDENTIFIER if _ID.fullmatch(value) else ValueKind.TEXT
    if key in ENUM_KEYS:
        if _WORD.fullmatch(value):
            return ValueKind.HARMLESS
        if _ENUM.fullmatch(value) and not looks_random(value):
            return ValueKind.IDENTIFIER
    return ValueKind.TEXT


# Keys repeat in every request ("messages", "role", "content"): remember the answers, boundedly
# (keys come from clients).
@functools.lru_cache(maxsize=8192)
def is_plain_key(key: str) -> bool:
    """True for an object key that reads as a field name, so it need not be scanned."""
    return (
        len(key) <= _MAX_KEY
        and _PLAIN_KEY.fullmatch(key) is not None
        and not looks_random(key)
        and _DIGIT_RUN.search(key) is None
    )
