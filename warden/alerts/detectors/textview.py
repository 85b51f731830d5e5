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

__all__ = ["MAX_VIEW_CHARS", "obfuscation_views", "plain", "views_follow_plain"]

MAX_VIEW_CHARS = 16 * 1024
MAX_CANDIDATES = 16
MAX_DECODED_CHARS = 8 * 1024

# Typographic quotes read as ASCII ones, so quoting is recognised however it was typed.
_QUOTES = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "`": "'"}
)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_TAGS = re.compile("[\U000e0000-\U000e007f]+")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
# A run starts at a pair led by a digit, not inside a word: hex-encoded text begins with a
# printable byte (0x20-0x7e, so a digit first), and English words full of a-f letters
# ("faded", "accede") would otherwise be tried at every letter.
_HEX_RUN = re.compile(
    r"(?<![0-9a-fA-F])(?:0x|\\x)?[0-9][0-9a-fA-F][\s,:]?(?:(?:0x|\\x)?[0-9a-fA-F]{2}[\s,:]?){9,}"
)
# Each costly scan has a cheap hint first: a pattern that starts with a character class, which
# re skips ahead to, and that every match of the full pattern contains. Most text has none.
_HEX_HINT = re.compile(r"[0-9][0-9a-fA-F][\s,:]?(?:(?:0x|\\x)?[0-9a-fA-F]{2}[\s,:]?){9,}")
_SPACED = re.compile(r"(?<!\w)(?:\w[ .\-_*|]){3,}\w(?!\w)")
_SPACED_HINT = re.compile(r"[ .\-_*|]\w[ .\-_*|]\w[ .\-_*|]")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
# A leetspeak token: a whole run of non-space characters holding a letter and a leet
# character. Found from its leet characters (rare in prose), not by trying every position.
_LEET_CHAR = re.compile(r"[013457@$!]")
_NON_SPACE = re.compile(r"\S*")
_LETTER = re.compile(r"[a-z]")
_ROT13 = bytes.maketrans(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    b"nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM",
)


def plain(text: str) -> str:
    if text.isascii():  # the only ASCII quote to fold is "`"; translate() is 2x slower
        text = text.replace("`", "'").lower()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())  # split() and re's \s agree on what whitespace is


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
    out: list[str] = []
    if max(map(len, text.split()), default=0) < 16:
        return out  # a run of 16 base64 characters holds no whitespace
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
    out: list[str] = []
    if not _HEX_HINT.search(text):
        return out
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
    spans: list[tuple[int, int]], repl: Callable[[str], str], text: str
) -> tuple[str, list[tuple[int, int]]]:
    """text with text[start:end] replaced at each span (in order, not overlapping), and where
    the replacements landed in the new text."""
    parts, landed, last, length = [], [], 0, 0
    for start, end in spans:
        kept = text[last:start]
        new = repl(text[start:end])
        parts += [kept, new]
        length += len(kept)
        landed.append((length, length + len(new)))
        length += len(new)
        last = end
    parts.append(text[last:])
    return "".join(parts), landed


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def _non_spaces(text: str, at: int) -> int:
    """How many non-space characters start at `at`."""
    match = _NON_SPACE.match(text, at)
    return match.end() - at if match else 0


def leet_tokens(text: str) -> list[tuple[int, int]]:
    """Spans of the whitespace-separated tokens that hold a leet character and a letter."""
    spans: list[tuple[int, int]] = []
    backwards = None
    for match in _LEET_CHAR.finditer(text):
        at = match.start()
        if spans and at < spans[-1][1]:
            continue  # in a token already taken
        if backwards is None:
            backwards = text[::-1]
        # The token around `at`: non-space characters before it (read backwards) and after.
        start = at - _non_spaces(backwards, len(text) - at)
        end = at + _non_spaces(text, at)
        if _LETTER.search(text, start, end):
            spans.append((start, end))
    return spans


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


def _local_view(spans: list[tuple[int, int]], repl: Callable[[str], str], text: str) -> str | None:
    if not spans:
        return None
    new, landed = _sub_with_spans(spans, repl, text)
    return _around(new, landed)


def views_follow_plain(text: str) -> bool:
    """Whether the ROT13 and reversed views of `text` are plain(text) transformed: true of
    short ASCII text, since plain() (case, quotes, whitespace) commutes with both there."""
    return len(text) <= MAX_VIEW_CHARS and text.isascii()


def obfuscation_views(text: str, plain_text: str | None = None) -> Iterator[tuple[str, str]]:
    """(reason code, decoded text in the plain view) for every way the text may hide something.
    `plain_text`: plain(text), if the caller has it already."""
    if not views_follow_plain(text):
        plain_text = None  # of no use: of the whole text, or not ASCII
    text = text[:MAX_VIEW_CHARS]
    # Invisible characters, look-alike letters and tag characters are all outside ASCII.
    unicode_tricks = not text.isascii()
    local: list[tuple[str, Callable[[str], list[tuple[int, int]]], Callable[[str], str], str]]
    local = []
    if unicode_tricks:
        local += [
            ("zero_width", lambda t: _spans(_INVISIBLE, t), lambda _: "", text),
            (
                "homoglyphs",
                lambda t: _spans(_CONFUSABLE, t),
                _fold_homoglyphs,
                unicodedata.normalize("NFKC", text),
            ),
        ]
    local += [("leetspeak", leet_tokens, lambda t: t.translate(_LEET), text.casefold())]
    if _SPACED_HINT.search(text):
        spaced = (lambda t: _spans(_SPACED, t), lambda t: re.sub(r"[ .\-_*|]", "", t), text)
        local.append(("spaced_letters", *spaced))
    for code, find, repl, source in local:
        view = _local_view(find(source), repl, source)
        if view is not None:
            yield code, plain(view)
    tags = _TAGS.findall(text) if unicode_tricks else None
    if tags:
        yield "unicode_tags", plain("".join(chr(ord(c) - 0xE0000) for run in tags for c in run))
    yield from _rot13_and_reversed(text, plain_text)
    for decoded in decode_base64(text):
        yield "base64", plain(decoded)
        for inner in decode_base64(decoded)[:2]:  # a payload encoded twice
            yield "base64", plain(inner)
    for decoded in decode_hex(text):
        yield "hex", plain(decoded)


def _rot13_and_reversed(text: str, plain_text: str | None) -> Iterator[tuple[str, str]]:
    if plain_text is not None:  # see views_follow_plain: no second normalisation
        ascii_plain = plain_text.encode("ascii")
        yield "rot13", ascii_plain.translate(_ROT13).decode("ascii")
        yield "reversed", plain_text[::-1]
        return
    yield "rot13", plain(codecs.encode(text, "rot13"))
    yield "reversed", plain(text[::-1])
