"""Placeholders: key-shaped values that stand for a key and are none (documentation, templates).

A value is a placeholder when its variable part, the part after the vendor prefix, is either

- filler: characters among x X * 0 (or one of . _ - repeated), at least 8 of them and at
  least as many as the prefix is long, possibly cut by separators (SG.xxxx.xxxx) or by a fixed
  marker of the format (OpenAI's T3BlbkFJ): sk_live_xxxxxxxxxxxxxxxxxxxxxxxx,
  AKIAXXXXXXXXXXXXXXXX, ghp_************************************, sk-proj-0000...,
  xoxb-000000000000-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx (runs of 0 for the ids, of x for
  the secret);
- a template: YOUR_API_KEY, my-token-here, <your-token-here>, ${GITHUB_TOKEN}, {{ api_key }},
  whose words are names rather than random characters.

Why this cannot hide a real key: a real key's variable part is random, so it is never made
of x, X, * and 0 alone, and a key with x's inside it or appended to it is not all filler. The
prefix is bounded (at most 3 short word-and-digit segments, or a 4-letter word such as AKIA)
and shorter than the filler, so it cannot carry a key either. A template's words must be
names: a random value after "your_" or inside <...> is still a value. Each finding is tested
on its own value: placeholders elsewhere in the text change nothing.
"""

from __future__ import annotations

import re

__all__ = ["is_name", "is_placeholder"]

# Fixed literals inside some formats: they are neither prefix nor variable part.
# OpenAI's base64 of "OpenAI"; PyPI's macaroon header (base64 of its location, pypi.org).
_FORMAT_MARKERS = ("T3BlbkFJ", "AgEIcHlwaS5vcmc")
_MIN_FILL = 8
# Key formats are shorter; a longer value (a PEM block) is not tried, which bounds the cost.
_MAX_LENGTH = 1024

_PREFIX = r"(?:[A-Za-z]{1,6}[0-9]{0,2}[-_.]){0,3}(?:[A-Za-z]{1,4}(?=[xX*0]))?"
# Separators are never fill characters and come one at a time, so there is one way to read a
# value and the match cannot backtrack for long (a run of dashes would take seconds).
_FILLER = re.compile(rf"(?P<prefix>{_PREFIX})(?P<fill>[xX*0]+(?:[-_.][xX*0]+)*|([-_.])\3*)")
_FILL_CHARS = re.compile(r"[xX*0]")

# A word of a name: API, token, Token, apiKey, ApiKey, S3; not aB3dE5 (a random value).
_WORD = r"(?:[A-Z]{1,16}|[a-z]{1,16}(?:[A-Z][a-z]{2,16}){0,3}|(?:[A-Z][a-z]{2,16}){1,4})[0-9]{0,2}"
# YOUR_API_KEY, your-token-here, MY_SECRET: a possessive, then words.
_NAMED = re.compile(rf"(?i:your|my)(?:[-_.]{_WORD}){{1,8}}")
# <your-token-here>, ${GITHUB_TOKEN}, {{ secrets.API_KEY }}, {api_key}: a name in brackets.
_BRACKETED = re.compile(r"<([^<>]*)>|\$\{([^{}]*)\}|\{\{([^{}]*)\}\}|\{([^{}]*)\}")
_NAME = re.compile(rf"\s*{_WORD}(?:[-_. ]{{1,2}}{_WORD}){{0,8}}\s*")


def is_placeholder(value: str) -> bool:
    """True when the value's variable part is filler or a template (see the module doc)."""
    if len(value) > _MAX_LENGTH:
        return False
    return _is_filler(value) or _is_template(value)


def is_name(text: str) -> bool:
    """Words such as API_KEY_HERE, openai-api-key or apiKey2, not random characters."""
    return bool(_NAME.fullmatch(text))


def _is_filler(value: str) -> bool:
    for marker in _FORMAT_MARKERS:
        value = value.replace(marker, "")
    match = _FILLER.fullmatch(value)
    if match is None:
        return False
    separator = match.group(3)
    fill = match.group("fill")
    count = fill.count(separator) if separator else len(_FILL_CHARS.findall(fill))
    return count >= _MIN_FILL and count >= len(match.group("prefix"))


def _is_template(value: str) -> bool:
    if _NAMED.fullmatch(value):
        return True
    bracketed = _BRACKETED.fullmatch(value)
    if bracketed is None:
        return False
    inside = next(group for group in bracketed.groups() if group is not None)
    return is_name(inside)
