"""Decide what an uploaded file's bytes are, by content alone, and extract the text in them.

A file's name and declared type are the sender's claims: a `.env` sent as
application/octet-stream is still text, a "photo.png" holding a PDF is still a PDF.

    media        images, audio, video: known harmless, not read
    text         any encoding (UTF-8/16/32, with or without BOM; else cp1252 / Latin-1)
    document     PDF, DOCX, XLSX, PPTX, OpenDocument
    archive      zip, tar, gzip, zstd, bzip2, xz: members read like files, nested to a depth
    unreadable   binary data, encrypted, corrupt, unsupported or over a limit
    empty        no bytes

Nothing raises out of `read_file`: what cannot be read is reported as unreadable, with a
reason that never quotes the content. The limits are in file_limits.py.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from warden.schemas import archives, documents, sniff
from warden.schemas.file_limits import DEFAULT_LIMITS, Budget, FileLimits, OverLimit, Unreadable

__all__ = ["DEFAULT_LIMITS", "STRINGS", "FileLimits", "FileReading", "FileText", "read_file"]

type FileKind = Literal["media", "text", "document", "archive", "unreadable", "empty"]


@dataclass(frozen=True, slots=True)
class FileText:
    """One piece of text found in the file."""

    where: str  # "" for the file itself; "page 3", "sheet Budget", "docs.zip/inner/b.txt"
    text: str
    # True only when `text` is the file's bytes decoded as UTF-8 (after an optional UTF-8
    # BOM), so the caller can redact it and send `BOM + redacted.encode()` in its place.
    redactable: bool
    # False for text taken from a file's raw bytes or markup (STRINGS, a document's XML
    # parts): worth searching for keys and addresses, not for names in sentences.
    prose: bool = True


@dataclass(frozen=True, slots=True)
class FileReading:
    kind: FileKind
    detail: str  # "image/png", "text (utf-16)", "pdf", "zip"; for unreadable, why
    texts: tuple[FileText, ...]
    # Parts that could not be read, each "name (why)": e.g. "keys/id.bin (binary data)".
    # An unreadable file lists nothing here: its kind and detail already say it.
    unreadable: tuple[str, ...] = ()

    @property
    def fully_read(self) -> bool:
        return self.kind != "unreadable" and not self.unreadable


# Where the printable runs of a file's raw bytes are reported (see _with_strings).
STRINGS = "strings"
# Runs of printable ASCII at least this long: shorter ones occur by chance in compressed data.
_PRINTABLE_RUN = re.compile(rb"[\t\x20-\x7e]{8,}")


def read_file(
    data: bytes,
    filename: str | None = None,
    declared_type: str | None = None,
    *,
    limits: FileLimits = DEFAULT_LIMITS,
) -> FileReading:
    """Read `data` by its content; `filename` and `declared_type` never change the verdict."""
    del filename, declared_type  # taken so callers pass what they have; content decides
    return _read(data, 0, Budget(limits))


def _read(data: bytes, depth: int, budget: Budget) -> FileReading:
    if not data:
        return FileReading("empty", "no data", ())
    if depth > budget.limits.max_depth:
        return _unreadable("nested too deep")
    reading = _read_by_kind(data, depth, budget)
    if reading.detail == "text (utf-8)":
        return reading  # the text is the bytes: nothing beside it to find
    # Text in another encoding too: a UTF-16 BOM in front of ASCII turns a key into CJK.
    return _with_strings(reading, data, budget)


def _with_strings(reading: FileReading, data: bytes, budget: Budget) -> FileReading:
    """Any file that is not plain text also gives the printable runs of its raw bytes, as the
    `strings` tool does: what hides beside what the readers take (a PNG's text chunks, bytes
    after an image's or a PDF's end, a PDF's comments and Info, a zip's comment and member
    names, a WAV's INFO list) still leaves with the file, so it is scanned too."""
    runs = _PRINTABLE_RUN.findall(data)
    if not runs:
        return reading
    text = "\n".join(run.decode("ascii") for run in runs)
    try:
        budget.chars(len(text))
    except OverLimit as verdict:
        return replace(reading, unreadable=(*reading.unreadable, f"{STRINGS} ({verdict.reason})"))
    strings = FileText(STRINGS, text, False, prose=False)
    return replace(reading, texts=(*reading.texts, strings))


def _read_by_kind(data: bytes, depth: int, budget: Budget) -> FileReading:
    fmt = sniff.container_format(data)
    if fmt is None:
        # A byte order mark outranks media magic: FF FE starts UTF-16 and MPEG frames alike.
        if starts_with_bom(data) and (reading := _read_text(data, depth, budget)).kind == "text":
            return reading
        media = sniff.media_type(data)
        if media is not None:
            return FileReading("media", media, ())
        return _read_text(data, depth, budget)
    if fmt in sniff.UNSUPPORTED:
        return _unreadable(f"{fmt} (not supported)")
    try:
        budget.check()
        return _read_container(fmt, data, depth, budget)
    except Unreadable as verdict:
        return _unreadable(verdict.reason)
    except Exception:  # a third-party parser on hostile input: no message, it may quote data
        return _unreadable(f"could not be parsed as {fmt}")


def _unreadable(reason: str) -> FileReading:
    return FileReading("unreadable", reason, ())


def _read_text(data: bytes, depth: int, budget: Budget) -> FileReading:
    decoded = decode_text(data)
    if decoded is None:
        return _unreadable("binary data")
    text, encoding, exact_utf8 = decoded
    try:
        budget.chars(len(text))
    except OverLimit as verdict:
        return _unreadable(verdict.reason)
    # Only the file itself can be rewritten in place, not a member of something else.
    return FileReading(
        "text", f"text ({encoding})", (FileText("", text, exact_utf8 and depth == 0),)
    )


def _read_container(fmt: str, data: bytes, depth: int, budget: Budget) -> FileReading:
    if fmt == "pdf":
        return _read_document("pdf", documents.read_pdf, data, depth, budget)
    if fmt == "tar":
        return _read_archive("tar", archives.tar_members(data, budget), depth, budget)
    if fmt != "zip":
        inner = _read(archives.decompress(fmt, data, budget), depth + 1, budget)
        if inner.kind == "unreadable":
            return FileReading("unreadable", f"{fmt} of {inner.detail}", inner.texts)
        return FileReading("archive", f"{fmt} of {inner.detail}", inner.texts, inner.unreadable)
    archive = archives.open_zip(data, budget)
    names = set(archive.namelist())
    office = _office_format(names)
    if office is not None:
        documents.check_package(archive.infolist(), budget)
        # Objects pasted into a document (a spreadsheet in a slide) are files of their own.
        embedded = [m for m in archives.zip_members(archive, budget) if "/embeddings/" in m[0]]
        reader = _OFFICE_READERS[office]
        read = _read_document(office, reader, data, depth, budget, embedded)
        return _with_parts(read, archive, depth, budget)
    if "mimetype" in names:
        mimetype = archives.read_zip_member(archive, "mimetype", budget)
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1].strip()
            detail = _OPENDOCUMENT.get(kind, f"opendocument {kind}")
            read = _read_document(detail, documents.read_opendocument, data, depth, budget)
            return _with_parts(read, archive, depth, budget)
    return _read_archive("zip", archives.zip_members(archive, budget), depth, budget)


def _with_parts(
    reading: FileReading, archive: zipfile.ZipFile, depth: int, budget: Budget
) -> FileReading:
    """A document package's every part, read raw as a zip member would be, beside the text its
    reader takes: properties, comments, custom XML, sheet names and parts nothing references
    leave with the file as well. Their markup is searched for patterns only."""
    parts = _read_archive("parts", archives.zip_members(archive, budget), depth, budget)
    raw = (replace(t, where=f"{t.where} (raw)", prose=False) for t in parts.texts)
    return replace(
        reading,
        texts=(*reading.texts, *raw),
        unreadable=(*reading.unreadable, *parts.unreadable),
    )


_OFFICE_READERS: dict[str, Callable[[bytes, documents.Extraction], None]] = {
    "docx": documents.read_docx,
    "xlsx": documents.read_xlsx,
    "pptx": documents.read_pptx,
}
_OFFICE_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
_OPENDOCUMENT = {"text": "odt", "spreadsheet": "ods", "presentation": "odp"}


def _office_format(names: set[str]) -> str | None:
    if "[Content_Types].xml" not in names:
        return None
    return next((fmt for part, fmt in _OFFICE_MAIN_PARTS.items() if part in names), None)


def _read_document(
    fmt: str,
    reader: Callable[[bytes, documents.Extraction], None],
    data: bytes,
    depth: int,
    budget: Budget,
    embedded: list[archives.Member] | None = None,
) -> FileReading:
    out = documents.Extraction(budget)
    try:
        reader(data, out)
    except Unreadable:
        raise
    except Exception:  # the parser, on hostile input: its message may quote the content
        raise Unreadable(f"could not be parsed as {fmt}") from None
    texts = [FileText(where, text, False) for where, text in out.texts]
    unreadable = list(out.unreadable)
    members = [*((name, lambda c=content: c) for name, content in out.embedded), *(embedded or ())]
    if members:
        inside = _read_archive(fmt, members, depth, budget)
        texts += inside.texts
        unreadable += inside.unreadable
    return FileReading("document", fmt, tuple(texts), tuple(unreadable))


def _read_archive(
    fmt: str, members: Iterable[archives.Member], depth: int, budget: Budget
) -> FileReading:
    texts: list[FileText] = []
    unreadable: list[str] = []
    remaining = iter(members)
    for name, load in remaining:
        try:
            budget.check()
            budget.member()
            inner = _read(load(), depth + 1, budget)
        except Unreadable as verdict:
            inner = _unreadable(verdict.reason)
        except Exception:  # the archive's own parser, on this member's header or data
            inner = _unreadable("could not be read")
        texts += (FileText(_join(name, t.where), t.text, False, t.prose) for t in inner.texts)
        unreadable += (f"{name}/{part}" for part in inner.unreadable)
        if inner.kind == "unreadable":
            unreadable.append(f"{name} ({inner.detail})")
        if budget.exhausted:  # a limit of the whole file: the members after this are not read
            following = next(remaining, None)
            if following is not None:
                unreadable.append(f"{following[0]} and the members after it ({budget.exhausted})")
            break
    return FileReading("archive", fmt, tuple(texts), tuple(unreadable))


def _join(name: str, where: str) -> str:
    return f"{name}/{where}" if where else name


# Bytes that do not occur in text, counted in one pass by deleting everything else.
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> tuple[str, str, bool] | None:
    """(text, encoding, is exactly UTF-8) when `data` is text in some encoding, else None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            codec = "utf-8-sig" if encoding == "utf-8" else encoding
            text = _decode(data, codec)
            if text is not None and _looks_like_text(text.encode()):
                return text, encoding, encoding == "utf-8"
    if _looks_like_text(data):
        text = _decode(data, "utf-8")
        if text is not None:
            return text, "utf-8", True
        text = _decode(data, "cp1252")
        if text is not None:
            return text, "cp1252", False
        return data.decode("latin-1"), "latin-1", False
    utf16 = _utf16_by_nul_pattern(data)
    if utf16 is not None:
        text = _decode(data, utf16)
        if text is not None and _looks_like_text(text.encode()):
            return text, "utf-16", False
    return None


def starts_with_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def _decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _looks_like_text(data: bytes) -> bool:
    # Text has tabs, newlines and the odd escape; binary has about 13% control bytes.
    return len(data.translate(None, _NOT_CONTROL)) * 100 <= len(data)


def _utf16_by_nul_pattern(data: bytes) -> str | None:
    # Mostly-ASCII UTF-16 has a NUL in every other byte: odd ones for LE, even ones for BE.
    if len(data) % 2:
        return None
    half = len(data) // 2
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd * 10 >= half * 3 and even * 20 <= half:
        return "utf-16-le"
    if even * 10 >= half * 3 and odd * 20 <= half:
        return "utf-16-be"
    return None
