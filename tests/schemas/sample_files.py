"""Real files built in memory for the file reader's tests and benchmark: no fixtures on disk.

Secrets planted in them are random and format-valid only: they authenticate nowhere.
"""

from __future__ import annotations

import io
import random
import string
import struct
import zipfile
import zlib

__all__ = [
    "fake_openai_key",
    "fake_private_key",
    "make_docx",
    "make_odt",
    "make_pdf",
    "make_pptx",
    "make_xlsx",
    "make_zip",
    "mp3_frames",
    "patch_zip_entry",
    "png_with_text",
]


def fake_openai_key(rng: random.Random) -> str:
    return "sk-proj-" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(40))


def fake_private_key(rng: random.Random) -> str:
    import base64

    body = base64.b64encode(rng.randbytes(1190)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"


def make_pdf(pages: list[list[str]], *, compress: bool = False) -> bytes:
    """A valid PDF, one Helvetica text line per string, written by hand (xref offsets too)."""
    objects: list[bytes] = []  # object n is objects[n - 1]
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{n} 0 R" for n in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for page_id, lines in zip(page_ids, pages, strict=True):
        shown = "\n".join(f"({_pdf_string(line)}) Tj T*" for line in lines)
        content = f"BT /F1 10 Tf 12 TL 40 800 Td\n{shown}\nET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>".encode()
        )
        if compress:
            content = zlib.compress(content)
            header = f"<< /Length {len(content)} /Filter /FlateDecode >>"
        else:
            header = f"<< /Length {len(content)} >>"
        objects.append(header.encode() + b"\nstream\n" + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def encrypt_pdf(pdf: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(body: str, *, table_cell: str = "", header: str = "", footer: str = "") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(body)
    if table_cell:
        table = document.add_table(rows=2, cols=2)
        table.cell(1, 1).text = table_cell
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(sheets: dict[str, dict[str, object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, cells in sheets.items():
        sheet = book.create_sheet(title)
        for ref, value in cells.items():
            sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_pptx(
    slides: list[str], *, notes: dict[int, str] | None = None, table_cell: str = ""
) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for number, text in enumerate(slides, 1):
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
        slide.shapes.title.text = f"Slide {number}"
        box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
        box.text_frame.text = text
        if table_cell and number == len(slides):
            frame = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1))
            frame.table.cell(1, 0).text = table_cell
        if notes and number in notes:
            slide.notes_slide.notes_text_frame.text = notes[number]
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_odt(paragraphs: list[str]) -> bytes:
    body = "".join(
        # A styled span inside a word, as office suites write for spell-check or edits.
        f"<text:p>{p[:5]}<text:span text:style-name='T1'>{p[5:]}</text:span></text:p>"
        for p in paragraphs
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    return make_zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": content.encode(),
            "META-INF/manifest.xml": b"<manifest:manifest/>",
        }
    )


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_of_zeros(name: str, size: int) -> bytes:
    """A zip bomb: one member of `size` zero bytes, about a thousandth of that compressed."""
    out = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=size > 2**31) as member,
    ):
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return out.getvalue()


def patch_zip_entry(
    data: bytes, name: str, *, file_size: int | None = None, flag_bits: int | None = None
) -> bytes:
    """Make the central directory (and local header) of member `name` say something else."""
    raw = bytearray(data)
    encoded = name.encode()
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_length] == encoded:
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    assert central != -1, name
    local = struct.unpack_from("<I", raw, central + 42)[0]
    if file_size is not None:
        struct.pack_into("<I", raw, central + 24, file_size)
        struct.pack_into("<I", raw, local + 22, file_size)
    if flag_bits is not None:
        struct.pack_into("<H", raw, central + 8, flag_bits)
        struct.pack_into("<H", raw, local + 6, flag_bits)
    return bytes(raw)


def mp3_frames(rng: random.Random, count: int) -> bytes:
    """MPEG-1 Layer III frames, 128 kbit/s at 44.1 kHz (417 bytes each), random payload."""
    header = b"\xff\xfb\x90\x00"
    return b"".join(header + rng.randbytes(417 - 4) for _ in range(count))


def adts_frames(rng: random.Random, count: int, length: int = 200) -> bytes:
    """AAC ADTS frames (LC, 44.1 kHz, stereo) of `length` bytes, random payload."""
    # Sync + MPEG-4 + no CRC; LC profile, 44.1 kHz, 2 channels; 13-bit frame length; fullness.
    size = (length >> 11, (length >> 3) & 0xFF, ((length & 7) << 5) | 0x1F)
    header = bytes([0xFF, 0xF1, 0x50, 0x80 | size[0], size[1], size[2], 0xFC])
    return b"".join(header + rng.randbytes(length - 7) for _ in range(count))


def png_with_text(text: str) -> bytes:
    """A valid 1x1 PNG whose tEXt chunk holds `text`: readers of the image never show it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + text.encode())
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
