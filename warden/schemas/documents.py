"""The text of PDF, Word, Excel, PowerPoint and OpenDocument files, part by part.

Each reader fills an `Extraction`: texts with where they were found, parts it could not read,
and files embedded in the document (read by files.py like archive members). The parsers are
third-party code fed hostile input: files.py turns anything they raise into "unreadable".
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from warden.schemas import archives
from warden.schemas.file_limits import Budget, OverLimit, Unreadable

__all__ = ["Extraction", "read_docx", "read_opendocument", "read_pdf", "read_pptx", "read_xlsx"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Word parts that hold a person's text (not styles, settings, numbering, fonts or themes).
_WORD_TEXT_PART = re.compile(
    r"wordprocessingml\.(document\.main|template\.main|header|footer|footnotes|endnotes|comments)"
    r"\+xml$|ms-word\.(document|template)\.macroEnabled(Template)?\.main\+xml$"
)
_ODF_SEPARATORS = re.compile(
    r"<text:tab\s*/>|<text:s(?:\s[^>]*)?/>|<text:line-break\s*/>"
    r"|</text:(?:p|h)>|</table:table-cell>|</table:table-row>"
)
_ODF_SEPARATOR_TEXT = {"tab": "\t", "s": " ", "line-break": "\n", "table-cell": "\t"}
_TAG = re.compile(r"<[^>]*>")
_ODF_ENCRYPTED = b"manifest:encryption-data"


@dataclass
class Extraction:
    budget: Budget
    texts: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    embedded: list[tuple[str, bytes]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        if text.strip():
            self.budget.chars(len(text))
            self.texts.append((where, text))


def read_pdf(data: bytes, out: Extraction) -> None:
    from pypdf import PdfReader  # imported on first use: the proxy may never see a PDF

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        # Many PDFs are encrypted with an empty user password (an owner password only
        # restricts printing or copying): those open for anyone, so they are read.
        try:
            opened = reader.decrypt("")
        except Exception:
            raise Unreadable("encrypted pdf") from None
        if not opened:
            raise Unreadable("encrypted pdf")
    pages = len(reader.pages)
    if pages > out.budget.limits.max_pdf_pages:
        raise OverLimit(
            f"over the extraction limit (more than {out.budget.limits.max_pdf_pages:,} pages)"
        )
    for number in range(1, pages + 1):
        out.budget.check()
        try:
            text = reader.pages[number - 1].extract_text()
        except Exception:
            out.unreadable.append(f"page {number} (could not be parsed)")
            continue
        out.add(f"page {number}", text)
    fields = reader.get_form_text_fields() or {}
    out.add("form fields", "\n".join(f"{name}: {value}" for name, value in fields.items() if value))
    for name, contents in reader.attachments.items():
        for content in contents:
            out.budget.bytes(len(content))
            out.embedded.append((f"attachment {name}", content))


def read_docx(data: bytes, out: Extraction) -> None:
    from docx.oxml.parser import parse_xml
    from docx.package import Package

    # The package rather than docx.Document(), which refuses macro-enabled files and templates.
    package = Package.open(io.BytesIO(data))
    for part in package.iter_parts():
        if not _WORD_TEXT_PART.search(part.content_type):
            continue
        out.budget.check()
        element = getattr(part, "element", None)
        if element is None:
            element = parse_xml(part.blob)  # python-docx's parser: entities are not expanded
        name = part.partname.rsplit("/", 1)[-1].removesuffix(".xml")
        out.add("body" if name == "document" else name, _word_text(element))


def _word_text(element: Any) -> str:
    # Deleted text (tracked changes) is still in the file and still leaves with it.
    pieces: list[str] = []
    for node in element.iter(f"{_W}p", f"{_W}t", f"{_W}delText", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        tag = node.tag
        if tag in (f"{_W}t", f"{_W}delText"):
            pieces.append(node.text or "")
        elif tag == f"{_W}tab":
            pieces.append("\t")
        elif pieces:  # a paragraph starts, or a line breaks
            pieces.append("\n")
    return "".join(pieces)


def read_xlsx(data: bytes, out: Extraction) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        for sheet in book.worksheets:
            # Rows are padded to the width the sheet declares, which a hostile file sets to
            # 16,384 columns by a million rows: without it, only to the row's last cell.
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()
            lines: list[str] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True)):
                out.budget.cells(len(row) or 1)
                if number % 4096 == 0:
                    out.budget.check()
                values = [str(value) for value in row if value is not None]
                if values:
                    lines.append("\t".join(values))
            out.add(f"sheet {sheet.title}", "\n".join(lines))
    finally:
        book.close()


def read_pptx(data: bytes, out: Extraction) -> None:
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    for number, slide in enumerate(deck.slides, 1):
        out.budget.check()
        # Every text body on the slide: shapes, groups, tables, placeholders.
        out.add(f"slide {number}", _drawing_text(slide.element))
        if slide.has_notes_slide:
            out.add(f"slide {number} notes", _drawing_text(slide.notes_slide.element))


def _drawing_text(element: Any) -> str:
    pieces: list[str] = []
    for node in element.iter(f"{_A}p", f"{_A}t", f"{_A}br"):
        if node.tag == f"{_A}t":
            pieces.append(node.text or "")
        elif pieces:
            pieces.append("\n")
    return "".join(pieces)


def read_opendocument(data: bytes, out: Extraction) -> None:
    archive = archives.open_zip(data, out.budget)
    names = set(archive.namelist())
    manifest = "META-INF/manifest.xml"
    if manifest in names and _ODF_ENCRYPTED in archives.read_zip_member(
        archive, manifest, out.budget
    ):
        raise Unreadable("encrypted opendocument")
    if "content.xml" not in names:
        raise Unreadable("opendocument without content")
    content = archives.read_zip_member(archive, "content.xml", out.budget)
    out.add("body", _odf_text(content.decode("utf-8", errors="replace")))


def _odf_text(xml: str) -> str:
    def separator(match: re.Match[str]) -> str:
        tag = match.group(0).strip("</>").split()[0].split(":")[1]
        return _ODF_SEPARATOR_TEXT.get(tag, "\n")

    # Markup goes without a trace (a styled span can sit inside a word); block ends break lines.
    return html.unescape(_TAG.sub("", _ODF_SEPARATORS.sub(separator, xml)))


def check_package(infos: Iterable[zipfile.ZipInfo], budget: Budget) -> None:
    """Charge an Office package's parts before a library loads them all into memory.

    CPython's zipfile never returns more than a member's declared size, so the declared sizes
    bound what the library can allocate, however the data really decompresses.
    """
    for info in infos:
        budget.member()
        if info.flag_bits & 0x1:
            raise Unreadable("encrypted package part")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Unreadable("package part compressed with an unsupported method")
        budget.bytes(info.file_size)
