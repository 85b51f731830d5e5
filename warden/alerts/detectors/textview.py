"""Views of a prompt for phrase matching: the plain view, and views that undo obfuscation.

The plain view folds case and compatibility forms (NFKC) and collapses whitespace, so that
"IGNORE  Previous" reads like "ignore previous". Everything else (invisible characters,
look-alike letters, leetspeak, spaced letters, ROT13, reversal, base64, hex) is undone only
in the obfuscation views, so that hiding a phrase is itself a reason to report it.
Every decoder is bounded: at most MAX_VIEW_CHARS of input and MAX_CANDIDATES encoded runs.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
from collections.abc import Callable, Iterator

from warden.dlp.confusables import CONFUSABLES

__all__ = ["MAX_VIEW_CHARS", "obfuscation_views", "plain"]

MAX_VIEW_CHARS = 16 * 1024
MAX_CANDIDATES = 16
MAX_DECODED_CHARS = 8 * 1024

# Typographic quotes read as ASCII ones, so quoting is recognised however it was typed.
_QUOTES = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "`": "'"}
)
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_TAGS = re.compile("[\U000e0000-\U000e007f]+")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
# A run starts at a pair led by a digit, not inside a word: hex-encoded text begins with a
# printable byte (0x20-0x7e, so a digit first), and English words full of a-f letters
# ("faded", "accede") would otherwise be tried at every letter.
_HEX_RUN = re.compile(
    r"(?<![0-9a-fA-F])(?:0x|\\x)?[0-9][0-9a-fA-F][\s,:]?(?:(?:0x|\\x)?[0-9a-fA-F]{2}[\s,:]?){9,}"
)
_SPACED = re.compile(r"(?<!\w)(?:\w[ .\-_*|]){3,}\w(?!\w)")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
# A whole token holding both a letter and a leet digit. Tried only at token starts: the
# plain form (\S*[a-z]\S*[0-9]\S*) backtracks at every character and cost 6x more.
_LEET_TOKEN = re.compile(r"(?<!\S)(?=\S*[a-z])(?=\S*[013457@$!])\S+")


def plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _SPACE.sub(" ", text).strip()


def _printable_ratio(text: str) -> float:
    if not text:
        return 0.0
    good = sum(1 for c in text if c.isprintable() or c in "\n\t")
    return good / len(text)


def _as_text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(1 for c in text if c.isalpha())
    if _printable_ratio(text) < 0.9 or letters < len(text) * 0.5:
        return None  # binary, or not words: an image, a key, a hash
    return text[:MAX_DECODED_CHARS]


def decode_base64(text: str) -> list[str]:
    out = []
    for match in list(_BASE64_RUN.finditer(text))[:MAX_CANDIDATES]:
        run = match.group(0)
        padded = run + "=" * (-len(run) % 4)
        for decoder in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = _as_text(decoder(padded.encode("ascii")))
            except (binascii.Error, ValueError):
                continue
            if decoded:
                out.append(decoded)
                break
    return out


def decode_hex(text: str) -> list[str]:
    out = []
    for match in list(_HEX_RUN.finditer(text))[:MAX_CANDIDATES]:
        digits = re.sub(r"0x|\\x|[\s,:]", "", match.group(0))
        if len(digits) % 2:
            digits = digits[:-1]
        try:
            decoded = _as_text(bytes.fromhex(digits))
        except ValueError:
            continue
        if decoded:
            out.append(decoded)
    return out


def _fold_homoglyphs(text: str) -> str:
    return "".join(CONFUSABLES.get(c, c) for c in text)


WINDOW = 160  # characters of context kept around each change
_CONFUSABLE = re.compile("[" + re.escape("".join(CONFUSABLES)) + "]+")


def _sub_with_spans(
    pattern: re.Pattern[str], repl: Callable[[str], str], text: str
) -> tuple[str, list[tuple[int, int]]]:
    """re.sub, also returning where the replacements landed in the new text."""
    parts, spans, last, length = [], [], 0, 0
    for match in pattern.finditer(text):
        kept = text[last : match.start()]
        new = repl(match.group(0))
        parts += [kept, new]
        length += len(kept)
        spans.append((length, length + len(new)))
        length += len(new)
        last = match.end()
    parts.append(text[last:])
    return "".join(parts), spans


def _around(text: str, spans: list[tuple[int, int]]) -> str:
    """Only the text around the changes: a local trick needs only a local look, and a long
    prompt with one odd character should not be re-read whole."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        start, end = max(0, start - WINDOW), min(len(text), end + WINDOW)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return "\n".join(text[start:end] for start, end in merged)


def _local_view(pattern: re.Pattern[str], repl: Callable[[str], str], text: str) -> str | None:
    new, spans = _sub_with_spans(pattern, repl, text)
    return _around(new, spans) if spans else None


def obfuscation_views(text: str) -> Iterator[tuple[str, str]]:
    """(reason code, decoded text) for every way the text may hide something."""
    text = text[:MAX_VIEW_CHARS]
    # Invisible characters, look-alike letters and tag characters are all outside ASCII.
    unicode_tricks = not text.isascii()
    local: list[tuple[str, re.Pattern[str], Callable[[str], str], str]] = []
    if unicode_tricks:
        local += [
            ("zero_width", _INVISIBLE, lambda _: "", text),
            ("homoglyphs", _CONFUSABLE, _fold_homoglyphs, unicodedata.normalize("NFKC", text)),
        ]
    local += [
        ("leetspeak", _LEET_TOKEN, lambda t: t.translate(_LEET), text.casefold()),
        ("spaced_letters", _SPACED, lambda t: re.sub(r"[ .\-_*|]", "", t), text),
    ]
    for code, pattern, repl, source in local:
        view = _local_view(pattern, repl, source)
        if view is not None:
            yield code, view
    tags = _TAGS.findall(text) if unicode_tricks else None
    if tags:
        yield "unicode_tags", "".join(chr(ord(c) - 0xE0000) for run in tags for c in run)
    yield "rot13", codecs.encode(text, "rot13")
    yield "reversed", text[::-1]
    for decoded in decode_base64(text):
        yield "base64", decoded
        for inner in decode_base64(decoded)[:2]:  # a payload encoded twice
            yield "base64", inner
    for decoded in decode_hex(text):
        yield "hex", decoded
