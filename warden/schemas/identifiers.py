"""Which strings in a request are known to be harmless: identifiers that fit their strict shape.

Everything that leaves for an AI host is scanned unless Warden knows it is harmless. The short
list here is what it knows: a `model` that looks like a model name, an `id` that looks like a
provider's object id or a UUID, protocol words (`type`, `role`, ...) that are short lower-case
words, and object keys that are plain field names. A value on the list that does not fit its
shape (a key pasted into `model`, an e-mail address in `id`) is scanned like any text.

Every shape refuses what secrets look like: a run of letters and digits that is long and mixed
(`AKIAIOSFODNN7EXAMPLE`, 40 hex digits, a token's random tail) is never harmless.
"""

from __future__ import annotations

import re

__all__ = [
    "ENUM_KEYS",
    "IDENTIFIER_KEYS",
    "harmless_value",
    "is_plain_key",
    "looks_random",
]

# A run of letters and digits at least this long, holding both, is what keys and tokens are made
# of; model names and field names keep their runs short ("claude", "20241022", "sonnet").
_MIXED_RUN = 16
# Any run this long is random whatever it holds (a hex digest, a letters-only token tail).
_ANY_RUN = 32
_RUN = re.compile(r"[A-Za-z0-9]+")

# Model names: "gpt-4o-mini-2024-07-18", "models/gemini-2.0-flash", "@cf/meta/llama-3-8b",
# "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-v2@20241022" (Vertex),
# "ft:gpt-4o-mini:acme::AbC12345". "@" only at the start or before a digit, so never an e-mail.
_MODEL = re.compile(r"@?(?:[A-Za-z0-9._:/+-]|@(?=\d)){1,128}")
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
# Protocol words: "input_text", "function_call_output", "2023-06-01", "image/png", "pcm16".
_ENUM = re.compile(r"[a-z0-9][a-z0-9_./+:;=-]{0,63}")
# Field names as APIs spell them: snake_case, kebab-case or lowerCamelCase.
_PLAIN_KEY = re.compile(r"[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*|[a-z]+[a-z0-9]*(?:[A-Z][a-z0-9]+)+")
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


def looks_random(value: str) -> bool:
    """True when `value` holds a run of letters and digits shaped like a key or token."""
    for run in _RUN.findall(value):
        if len(run) >= _ANY_RUN:
            return True
        if len(run) >= _MIXED_RUN and not run.isalpha() and not run.isdigit():
            return True
    return False


def harmless_value(key: str | int | None, value: str) -> bool:
    """True when the string under `key` fits that identifier's shape, so it need not be scanned."""
    if not isinstance(key, str):
        return False
    if key in IDENTIFIER_KEYS or key.endswith("_id"):
        if key == "model":
            return (
                _MODEL.fullmatch(value) is not None
                and _LETTER.search(value) is not None
                and not looks_random(value)
            )
        return _ID.fullmatch(value) is not None
    if key in ENUM_KEYS:
        return _ENUM.fullmatch(value) is not None and not looks_random(value)
    return False


def is_plain_key(key: str) -> bool:
    """True for an object key that reads as a field name, so it need not be scanned."""
    return len(key) <= _MAX_KEY and _PLAIN_KEY.fullmatch(key) is not None and not looks_random(key)
