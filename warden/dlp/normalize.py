"""Build the view of a text that DLP scans, so that formatting tricks cannot hide a value.

What the view undoes, each with an offset map back to the original text:
- JSON string escapes inside text that is itself JSON (tool-call arguments): `\\u0073k-...`,
  `\\n` before a key, `\\"` around it;
- invisible characters (zero-width space/joiner, word joiner, soft hyphen, BOM, bidi
  controls, variation selectors) are dropped; Unicode tag characters, which smuggle ASCII
  text invisibly, are decoded to that text;
- compatibility forms are folded (NFKC: fullwidth letters, mathematical letters, ligatures),
  and in tokens that also contain ASCII letters or digits, common homoglyphs (Cyrillic and
  Greek look-alikes, dash variants) become ASCII and combining marks are dropped; a word
  written wholly in Cyrillic or Greek is left as it is;
- line breaks inside a value (`join_broken_lines`, applied by the scanner only near places
  where a secret may start, because joining every line would glue ordinary words together).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from warden.dlp import slices
from warden.dlp.confusables import CONFUSABLES
from warden.dlp.offsets import IDENTITY, ChainedMap, Edit, OffsetMap

__all__ = ["ScanView", "build_view", "join_broken_lines", "past_joined_pieces"]

type SpanMap = OffsetMap | ChainedMap


@dataclass(frozen=True, slots=True)
class ScanView:
    """The text DLP scans, and how its offsets map back to the original."""

    text: str
    map: SpanMap = IDENTITY

    def __repr__(self) -> str:  # the text may hold the very values DLP protects
        return f"<ScanView {len(self.text)} chars>"


def build_view(text: str) -> ScanView:
    maps: list[SpanMap] = []
    if "\\" in text and text.lstrip()[:1] in ("{", "["):
        text, json_map = _unescape_json(text)
        maps.append(json_map)
    if not text.isascii():
        text, unicode_map = _clean_unicode(text)
        maps.append(unicode_map)
    if not maps:
        return ScanView(text)
    if len(maps) == 1:
        return ScanView(text, maps[0])
    return ScanView(text, ChainedMap(list(reversed(maps))))


# --- JSON escapes -------------------------------------------------------------------------

_JSON_ESCAPE = re.compile(
    r'\\(?:u([0-9a-fA-F]{4})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?|(["\\/bfnrt]))'
)
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape_json(text: str) -> tuple[str, OffsetMap]:
    out: list[str] = []
    edits: list[Edit] = []
    pos = new_pos = 0
    for m in slices.finditer(_JSON_ESCAPE, text, overlap=12):
        out.append(text[pos : m.start()])
        new_pos += m.start() - pos
        high, low, simple = m.groups()
        if simple is not None:
            char = _SIMPLE[simple]
        elif low is not None and 0xD800 <= int(high, 16) <= 0xDBFF:
            code = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
            char = chr(code)
        else:
            code = int(high, 16)
            char = "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)
            if low is not None:  # a low surrogate without its pair: keep it as text to scan
                char += "\ufffd"
        out.append(char)
        edits.append((new_pos, new_pos + len(char), m.start(), m.end()))
        new_pos += len(char)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), OffsetMap(edits)


# --- Unicode ------------------------------------------------------------------------------

_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001d173-\U0001d17a"
    "\U000e0001\U000e007f\U000e0100-\U000e01ef"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_TAG_FIRST, _TAG_LAST = 0xE0020, 0xE007E  # tag characters mirror ASCII 0x20-0x7E

_SPACE = re.compile(r"\s")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


@cache
def _suspect_re() -> re.Pattern[str]:
    """Characters the cleanup may change: built once, on the first non-ASCII text."""
    changing = [
        chr(cp)
        for cp in range(0x80, 0x10000)
        if not 0xD800 <= cp <= 0xDFFF
        and (unicodedata.normalize("NFKC", chr(cp)) != chr(cp) or unicodedata.combining(chr(cp)))
    ]
    astral = "\U0001d400-\U0001d7ff\U0001f100-\U0001f1ff\U000e0000-\U000e01ef"
    chars = "".join(re.escape(c) for c in (*changing, *CONFUSABLES))
    return re.compile(f"[{chars}{_INVISIBLE}{astral}]")


def _clean_unicode(text: str) -> tuple[str, OffsetMap]:
    suspect = _suspect_re()
    out: list[str] = []
    edits: list[Edit] = []
    pos = new_pos = 0
    # Visit only the tokens that hold a suspect character; most text has none at all.
    for hit in slices.finditer(suspect, text, overlap=1):
        if hit.start() < pos:
            continue  # inside the token just cleaned
        token_start = hit.start()
        while token_start > pos and not text[token_start - 1].isspace():
            token_start -= 1
        end = _SPACE.search(text, hit.end())
        token_end = end.start() if end else len(text)
        out.append(text[pos:token_start])
        new_pos += token_start - pos
        cleaned = _clean_token(text[token_start:token_end], token_start, new_pos, edits)
        out.append(cleaned)
        new_pos += len(cleaned)
        pos = token_end
    if not edits:
        return text, IDENTITY
    out.append(text[pos:])
    return "".join(out), OffsetMap(edits)


def _clean_token(token: str, old_pos: int, new_pos: int, edits: list[Edit]) -> str:
    # Only a token that mixes scripts gets its look-alikes folded: "sk-" followed by Cyrillic
    # letters is an attempt to hide a key, a word written wholly in Cyrillic is a word.
    fold = _ASCII_ALNUM.search(_INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", token)))
    out: list[str] = []
    for offset, char in enumerate(token):
        code = ord(char)
        if _TAG_FIRST <= code <= _TAG_LAST:
            replacement = chr(code - 0xE0000)
        elif _INVISIBLE_RE.match(char):
            replacement = ""
        else:
            replacement = unicodedata.normalize("NFKC", char)
            if fold:
                replacement = "".join(
                    CONFUSABLES.get(c, c) for c in replacement if not unicodedata.combining(c)
                )
            replacement = _INVISIBLE_RE.sub("", replacement)
        if replacement != char:
            start = old_pos + offset
            edits.append((new_pos, new_pos + len(replacement), start, start + 1))
        out.append(replacement)
        new_pos += len(replacement)
    return "".join(out)


# --- Line breaks --------------------------------------------------------------------------

# A line break (and the indentation after it, and a shell line continuation before it)
# between two characters that can both be part of a key...
_BROKEN_LINE = re.compile(r"(?<=[A-Za-z0-9_+/=-])[ \t]*\\?\r?\n[ \t]*(?=([A-Za-z0-9_+/=-]+))")
# ...when the next line starts with key material (digits, two capitals or a symbol) rather
# than a word: "key\nThanks" stays two lines, "sk-abc\nD3fG" becomes one.
_KEY_PIECE = re.compile(r"\d|[A-Z][^A-Z]*[A-Z]|[+/=_-]")


# Two pieces of one string literal that the language joins: a closing quote; spaces, line
# breaks, continuations, concatenation operators (+ . .. & ||), semicolons, comments (# //
# /* */) and appends to a variable (`k += "..."`, `$k .= '...'`, `s << "..."`); then an
# opening quote. Python's implicit concatenation ("sk-ant-..." "..."), JavaScript's and
# Java's "..." + "...", PHP's '...' . '...', SQL's '...' || '...', a shell's "..."\<newline>
# "...". A comma is not among them: ("a", "b") is two values, not one. Each part of the
# glue starts with a different character, so the pattern cannot backtrack far.
_GLUE = (
    r"""["'`](?:[ \t\r\n\\+.&|;]|\#[^\n]{0,120}\n|//[^\n]{0,120}\n|/\*[^*]{0,120}\*/"""
    r"|[A-Za-z_$][\w.$]{0,40}[ \t]*(?:\+=|\.=|<<)){0,64}?[\"'`]"
)
_CONCAT = re.compile(rf"(?<=[A-Za-z0-9_+/=.-]){_GLUE}(?=[A-Za-z0-9_+/=.-])")
_SPLIT = re.compile(f"{_BROKEN_LINE.pattern}|{_CONCAT.pattern}")
# How far past its first piece a split key's pieces are looked for.
MAX_JOINS = 16


# A list of string pieces joined into one: Python's "".join(["...", "..."]), JavaScript's
# ["...", "..."].join(""). Inside such a list, and only there, a comma joins too.
_JOINED_LIST = re.compile(r"\.join\(\s*[\[(]([^\])]{1,2000})[\])]|\[([^\]]{1,2000})\]\s*\.join\(")
_LIST_GLUE = re.compile(r"""(?<=[A-Za-z0-9_+/=.-])["'`]\s*,\s*["'`](?=[A-Za-z0-9_+/=.-])""")


def _glues(text: str) -> list[tuple[int, int]]:
    """The spans to remove to join the pieces of split keys, in order, not overlapping."""
    spans = []
    for m in _SPLIT.finditer(text):
        if m.group(1) is not None and not _KEY_PIECE.search(m.group(1)):
            continue  # a line break before a word, not before more of a key
        spans.append(m.span())
    if ".join(" in text:
        for listed in _JOINED_LIST.finditer(text):
            group = 1 if listed.group(1) is not None else 2
            found = _LIST_GLUE.finditer(text, listed.start(group), listed.end(group))
            spans += [g.span() for g in found]
    spans.sort()
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def join_broken_lines(text: str) -> tuple[str, OffsetMap]:
    """The text with line breaks inside would-be tokens, and the quotes and operators between
    pieces of one string literal, removed; and the map back."""
    edits: list[Edit] = []
    out: list[str] = []
    pos = new_pos = 0
    for start, end in _glues(text):
        out.append(text[pos:start])
        new_pos += start - pos
        edits.append((new_pos, new_pos, start, end))
        pos = end
    if not edits:
        return text, IDENTITY
    out.append(text[pos:])
    return "".join(out), OffsetMap(edits)


# The window also runs on over commas: whether they join is decided above, on the whole list.
_PIECE_GLUE = re.compile(rf"""(?:{_GLUE}|["'`]\s*,\s*["'`])(?=[A-Za-z0-9_+/=.-])""")
_PIECE_END = re.compile(r"[\s\"'`<>()\[\]{},;]")


def past_joined_pieces(text: str, end: int) -> int:
    """Where a token ending at `end` ends once the string pieces glued to it are counted:
    a window that stops at the first closing quote would never see the rest of a split key."""
    for _ in range(MAX_JOINS):
        glue = _PIECE_GLUE.match(text, end)
        if glue is None:
            return end
        stop = _PIECE_END.search(text, glue.end(), glue.end() + 4096)
        end = stop.start() if stop else min(len(text), glue.end() + 4096)
    return end
