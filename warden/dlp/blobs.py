"""Base64 blobs that decode to text, so a key encoded to slip past DLP is still found.

Bounded, because prompts carry large base64 payloads (images, audio) that are not text:
- a candidate is a run of MIN_BLOB_CHARS to MAX_BLOB_CHARS base64 characters (standard or
  URL-safe, not both; the base64 of a 16-character secret is 24 long), with digits or mixed
  case, that decodes to strict UTF-8 of which at least 95% is printable;
- at most MAX_ATTEMPTS candidates are decoded per text and at most MAX_BLOBS of them are
  scanned; blobs inside decoded blobs are not decoded again.
A finding inside a blob is reported over the whole blob: redaction replaces all of it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["MAX_ATTEMPTS", "MAX_BLOBS", "MAX_BLOB_CHARS", "MIN_BLOB_CHARS", "Blob", "decoded_blobs"]

MIN_BLOB_CHARS = 24
MAX_BLOB_CHARS = 256 * 1024
MAX_ATTEMPTS = 512
MAX_BLOBS = 64

_VARIED = re.compile(r"[0-9]|[A-Z][^A-Z]*[a-z]|[a-z][^a-z]*[A-Z]")
# A run of hex digits in one case: base64 of that length is never only those 16 characters.
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
# Runs are found on bytes where every base64 character reads "a" and anything else " ":
# bytes.translate and bytes.find run at memory speed, a character-class regex at a tenth.
_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
_RUNS = bytes(0x61 if i in _ALPHABET else 0x20 for i in range(256))
_NEEDLE = b"a" * MIN_BLOB_CHARS


@dataclass(frozen=True, slots=True)
class Blob:
    start: int
    end: int
    text: str

    def __repr__(self) -> str:  # decoded content may be the very secret
        return f"<Blob {self.start}:{self.end}>"


def decoded_blobs(text: str) -> tuple[list[Blob], bool]:
    """Text blobs in `text`, in order, and whether a limit stopped the search early."""
    blobs: list[Blob] = []
    attempts = 0
    for start, end in _runs(text):
        raw = text[start:end]
        if end - start > MAX_BLOB_CHARS or not _VARIED.search(raw) or _HEX.fullmatch(raw):
            continue  # too long, a word, or hex (a digest in a lockfile, not base64)
        standard, urlsafe = ("+" in raw or "/" in raw), ("-" in raw or "_" in raw)
        if standard and urlsafe:
            continue  # a path or an identifier, not base64
        attempts += 1
        if attempts > MAX_ATTEMPTS or len(blobs) >= MAX_BLOBS:
            return blobs, True
        decoded = _decode(raw, urlsafe)
        if decoded is not None:
            blobs.append(Blob(start, end, decoded))
    return blobs, False


def _runs(text: str) -> Iterator[tuple[int, int]]:
    """Runs of base64 characters (with their "=" padding), as offsets into `text`."""
    # "replace" turns each non-ASCII character into one "?", so offsets stay the same.
    mapped = text.encode("ascii", "replace").translate(_RUNS)
    pos = 0
    while (start := mapped.find(_NEEDLE, pos)) >= 0:
        end = mapped.find(b" ", start)
        end = len(mapped) if end < 0 else end
        pos = end
        while end < len(text) and end - pos < 2 and text[end] == "=":
            end += 1
        yield start, end


def _decode(raw: str, urlsafe: bool) -> str | None:
    body = raw.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        data = (base64.urlsafe_b64decode if urlsafe else base64.b64decode)(padded)
        text = data.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(c.isprintable() or c in "\n\r\t" for c in text)
    return text if printable >= 0.95 * len(text) and len(text.strip()) >= 8 else None
