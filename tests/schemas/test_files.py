"""read_file: what a file is by its bytes alone, and every piece of text in it, within limits."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import random
import struct
import tarfile
import zipfile

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.schemas.sample_files import (
    adts_frames,
    encrypt_pdf,
    fake_openai_key,
    fake_private_key,
    make_docx,
    make_odt,
    make_pdf,
    make_pptx,
    make_xlsx,
    make_zip,
    mp3_frames,
    patch_zip_entry,
    png_with_text,
    zip_of_zeros,
)
from warden.schemas.files import STRINGS, FileLimits, FileReading, FileText, read_file

RNG = random.Random(20261207)
KEY = fake_openai_key(RNG)
PEM = fake_private_key(RNG)
NOISE = RNG.randbytes(4096)
MIB = 1024 * 1024


def tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def readers(reading: FileReading) -> tuple[FileText, ...]:
    """What the format's readers took: not the raw bytes' strings or a package's raw parts."""
    return tuple(piece for piece in reading.texts if piece.prose)


def where_found(reading: FileReading, marker: str = KEY) -> list[str]:
    return [piece.where for piece in readers(reading) if marker in piece.text]


# -- text ---------------------------------------------------------------------------------------

SMART_QUOTES = "\u201cquoted\u201d \u2013 \u20ac5"  # bytes 0x80-0x9f: cp1252, not Latin-1
ENV = f"# staging\nOPENAI_API_KEY={KEY}\nDEBUG=1\n"


@pytest.mark.parametrize(
    ("data", "filename", "declared", "detail"),
    [
        (ENV.encode(), ".env", "application/octet-stream", "text (utf-8)"),
        (b"\xef\xbb\xbf" + ENV.encode(), "notes.txt", "text/plain", "text (utf-8)"),
        (ENV.encode("utf-16"), "export.csv", "text/csv", "text (utf-16)"),
        (ENV.encode("utf-16-le"), "win.txt", None, "text (utf-16)"),
        (ENV.encode("utf-16-be"), "mac.txt", None, "text (utf-16)"),
        (ENV.encode("utf-32"), "wide.txt", None, "text (utf-32)"),
        (f"Grüße aus Köln, {KEY}".encode("latin-1"), "brief.txt", None, "text (cp1252)"),
        (f"{SMART_QUOTES} {KEY}".encode("cp1252"), "memo.txt", None, "text (cp1252)"),
        (f"api:\n  key: {KEY}\n".encode(), "config.yaml", "application/x-yaml", "text (utf-8)"),
        (f"name,key\nprod,{KEY}\n".encode(), "keys.csv", "text/csv", "text (utf-8)"),
        (f'{{"key": "{KEY}"}}'.encode(), "creds.json", "application/json", "text (utf-8)"),
        (f'import os\nKEY = "{KEY}"\n'.encode(), "main.py", "text/x-python", "text (utf-8)"),
        (f'<svg xmlns="http://www.w3.org/2000/svg"><text>{KEY}</text></svg>'.encode(),
         "logo.svg", "image/svg+xml", "text (utf-8)"),
    ],
)  # fmt: skip
def test_text_in_any_encoding_is_read_whatever_it_is_called(data, filename, declared, detail):
    reading = read_file(data, filename, declared)
    assert (reading.kind, reading.detail) == ("text", detail)
    assert where_found(reading) == [""]
    assert reading.fully_read


@pytest.mark.parametrize(
    ("filename", "declared"),
    [("server.key", "application/pgp-keys"), ("chain.pem", "application/pem-certificate-chain")],
)
def test_a_private_key_is_text_whatever_type_it_is_declared_as(filename, declared):
    reading = read_file(PEM.encode(), filename, declared)
    assert reading.kind == "text"
    assert readers(reading)[0].text == PEM


@pytest.mark.parametrize(
    ("data", "redactable"),
    [
        (ENV.encode(), True),
        (b"\xef\xbb\xbf" + ENV.encode(), True),  # the caller puts the BOM back in front
        (ENV.encode("utf-16"), False),
        (f"Grüße {KEY}".encode("latin-1"), False),
        (make_zip({"a.env": ENV.encode()}), False),  # a member cannot be rewritten in place
        (gzip.compress(ENV.encode(), mtime=0), False),
    ],
)
def test_only_text_that_is_the_files_own_utf8_is_redactable(data, redactable):
    (piece,) = readers(read_file(data))
    assert piece.redactable is redactable
    if redactable:
        assert piece.text.encode() == data.removeprefix(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    "data",
    [
        NOISE,
        b"\x00" * 1000,
        b"\x7fELF\x02\x01\x01" + NOISE,
        b"MZ\x90\x00" + NOISE,
        b"SQLite format 3\x00" + NOISE,
    ],
)
def test_binary_data_is_unreadable(data):
    reading = read_file(data, "notes.txt", "text/plain")
    assert (reading.kind, reading.detail, readers(reading)) == ("unreadable", "binary data", ())
    assert not reading.fully_read


# -- media --------------------------------------------------------------------------------------


def riff(form: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(NOISE)) + form + NOISE


def box(brand: bytes) -> bytes:
    return struct.pack(">I", 24) + b"ftyp" + brand + b"\x00\x00\x00\x00isommp41" + NOISE


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n" + NOISE, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + NOISE, "image/jpeg"),
        (b"GIF89a" + NOISE, "image/gif"),
        (riff(b"WEBP"), "image/webp"),
        (b"BM" + struct.pack("<IHHII", 4150, 0, 0, 54, 40) + NOISE, "image/bmp"),
        (b"II*\x00" + NOISE, "image/tiff"),
        (b"\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00\x20\x00" + NOISE, "image/x-icon"),
        (box(b"heic"), "image/heic"),
        (box(b"avif"), "image/avif"),
        (riff(b"WAVE"), "audio/wav"),
        (b"RF64" + riff(b"WAVE")[4:], "audio/wav"),  # a recording past 4 GB's headers
        (b"RIFX" + riff(b"WAVE")[4:], "audio/wav"),  # big-endian
        (b"ID3\x04\x00\x00\x00\x00\x0f\x76" + NOISE, "audio/mpeg"),
        (mp3_frames(RNG, 3), "audio/mpeg"),
        (b"OggS\x00\x02" + NOISE, "audio/ogg"),
        (b"fLaC\x00\x00\x00\x22" + NOISE, "audio/flac"),
        (box(b"M4A "), "audio/mp4"),
        (adts_frames(RNG, 3), "audio/aac"),
        (b"#!AMR\n" + NOISE, "audio/amr"),
        (box(b"isom"), "video/mp4"),
        (box(b"qt  "), "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + NOISE, "video/webm"),
        (riff(b"AVI "), "video/x-msvideo"),
    ],
)
def test_media_is_known_by_its_magic_and_not_read(data, mime):
    reading = read_file(data, "document.txt", "text/plain")
    assert (reading.kind, reading.detail, readers(reading)) == ("media", mime, ())
    assert reading.fully_read


@pytest.mark.parametrize(
    "text",
    [
        f"RIFF notes: the WAVE header is 44 bytes. {KEY}",  # RIFF, but not RIFF....WAVE
        f"BMW fleet list {KEY}",  # "BM" without a bitmap header
        f"ID3 tags are metadata. {KEY}",
        f"0000ftypisom is how an MP4 starts. {KEY}",  # 'ftyp' with an absurd box size
        f"OggS is Ogg's magic {KEY}",
        f"GIF87 was the first version {KEY}",
    ],
)
def test_text_that_starts_like_media_is_still_read_as_text(text):
    reading = read_file(text.encode())
    assert reading.kind == "text"
    assert where_found(reading) == [""]


def test_a_five_megabyte_image_is_judged_by_its_first_bytes():
    reading = read_file(b"\x89PNG\r\n\x1a\n" + bytes(5 * MIB))
    assert reading.kind == "media"


# -- documents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "detail", "where"),
    [
        (make_pdf([["cover"], ["appendix", f"key: {KEY}"]]), "pdf", "page 2"),
        (make_pdf([["cover"], [KEY]], compress=True), "pdf", "page 2"),
        # An owner password only restricts printing: anyone can open it, so Warden does.
        (encrypt_pdf(make_pdf([[KEY]]), user_password=""), "pdf", "page 1"),
        (make_docx(f"Our key is {KEY}."), "docx", "body"),
        (make_docx("See table.", table_cell=KEY), "docx", "body"),
        (make_docx("Body.", header=KEY), "docx", "header1"),
        (make_docx("Body.", footer=KEY), "docx", "footer1"),
        (make_xlsx({"Summary": {"A1": 1}, "Budget": {"A1": "vendor", "C7": KEY}}), "xlsx",
         "sheet Budget"),
        (make_pptx(["intro", f"the key: {KEY}"]), "pptx", "slide 2"),
        (make_pptx(["intro", "demo"], notes={2: f"say {KEY}"}), "pptx", "slide 2 notes"),
        (make_pptx(["intro", "numbers"], table_cell=KEY), "pptx", "slide 2"),
        (make_odt(["Hello", f"The key {KEY}"]), "odt", "body"),
    ],
)  # fmt: skip
def test_documents_give_their_text_with_where_it_was_found(data, detail, where):
    reading = read_file(data, "upload.bin", "application/octet-stream")
    assert (reading.kind, reading.detail) == ("document", detail)
    assert where_found(reading) == [where]
    assert not any(piece.redactable for piece in readers(reading))
    assert reading.fully_read


def test_spreadsheet_cells_of_every_type_are_text():
    reading = read_file(make_xlsx({"Budget": {"A1": "rent", "B1": 1250.5, "C1": 42, "D1": True}}))
    assert readers(reading)[0].text == "rent\t1250.5\t42\tTrue"


def test_a_pdf_with_a_user_password_is_unreadable():
    reading = read_file(encrypt_pdf(make_pdf([[KEY]]), user_password="hunter2"))
    assert (reading.kind, reading.detail, readers(reading)) == ("unreadable", "encrypted pdf", ())


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (make_pdf([["text"]])[:200], "could not be parsed as pdf"),
        (b"%PDF-1.7\n" + NOISE, "could not be parsed as pdf"),
        (make_docx("x")[:3000], "could not be parsed as zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + NOISE,
         "legacy or encrypted office document (not supported)"),
        (b"7z\xbc\xaf\x27\x1c" + NOISE, "7z archive (not supported)"),
        (b"Rar!\x1a\x07\x01\x00" + NOISE, "rar archive (not supported)"),
    ],
)  # fmt: skip
def test_corrupt_and_unsupported_files_are_unreadable_with_a_reason(data, detail):
    reading = read_file(data)
    assert (reading.kind, reading.detail, readers(reading)) == ("unreadable", detail, ())


def test_content_decides_not_the_name_or_declared_type():
    pdf = read_file(make_pdf([[KEY]]), "photo.png", "image/png")
    png = read_file(b"\x89PNG\r\n\x1a\n" + NOISE, "notes.txt", "text/plain")
    assert (pdf.kind, png.kind) == ("document", "media")


# -- archives -----------------------------------------------------------------------------------

KEYFILE = f"KEY={KEY}\n".encode()


@pytest.mark.parametrize(
    ("data", "detail", "where"),
    [
        (make_zip({"docs/readme.md": b"# hi", "docs/a.env": KEYFILE}), "zip", "docs/a.env"),
        (make_zip({"docs.zip": make_zip({"inner/b.env": KEYFILE})}), "zip", "docs.zip/inner/b.env"),
        (make_zip({"q3/plan.docx": make_docx(KEY)}), "zip", "q3/plan.docx/body"),
        (make_zip({"q3/plan.pdf": make_pdf([["x"], [KEY]])}), "zip", "q3/plan.pdf/page 2"),
        (tar({"etc/app.env": KEYFILE}), "tar", "etc/app.env"),
        (gzip.compress(tar({"etc/app.env": KEYFILE}), mtime=0), "gzip of tar", "etc/app.env"),
        (bz2.compress(tar({"etc/app.env": KEYFILE})), "bzip2 of tar", "etc/app.env"),
        (lzma.compress(tar({"etc/app.env": KEYFILE})), "xz of tar", "etc/app.env"),
        (zstandard.ZstdCompressor().compress(KEYFILE), "zstd of text (utf-8)", ""),
        (gzip.compress(KEYFILE, mtime=0), "gzip of text (utf-8)", ""),
    ],
)
def test_archive_members_are_read_like_files(data, detail, where):
    reading = read_file(data)
    assert (reading.kind, reading.detail) == ("archive", detail)
    assert where_found(reading) == [where]
    assert reading.fully_read


def test_an_archives_unreadable_members_are_named_and_the_rest_is_still_read():
    inner = make_zip({"photo.png": b"\x89PNG\r\n\x1a\n" + NOISE, "blob.bin": NOISE})
    archive = make_zip(
        {
            "a.env": KEYFILE,
            "secret.env": b"TOKEN=x",
            "blob.bin": NOISE,
            "inner.zip": inner,
            "locked.pdf": encrypt_pdf(make_pdf([["x"]]), "pw"),
        }
    )
    reading = read_file(patch_zip_entry(archive, "secret.env", flag_bits=0x1))
    assert where_found(reading) == ["a.env"]
    assert reading.unreadable == (
        "secret.env (password-protected)",
        "blob.bin (binary data)",
        "inner.zip/blob.bin (binary data)",
        "locked.pdf (encrypted pdf)",
    )
    assert not reading.fully_read


def test_a_file_attached_to_a_pdf_is_read():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([["see attachment"]]))))
    writer.add_attachment("deploy.env", KEYFILE)
    out = io.BytesIO()
    writer.write(out)
    assert where_found(read_file(out.getvalue())) == ["attachment deploy.env"]


def test_an_embedded_workbook_in_a_document_is_read():
    docx = make_docx("see the attached sheet")
    embedded = make_xlsx({"Keys": {"A1": KEY}})
    with_object = _add_zip_member(docx, "word/embeddings/Microsoft_Excel_Worksheet.xlsx", embedded)
    reading = read_file(with_object)
    assert where_found(reading) == ["word/embeddings/Microsoft_Excel_Worksheet.xlsx/sheet Keys"]


def _add_zip_member(data: bytes, name: str, member: bytes) -> bytes:
    import zipfile

    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(name, member)
    return out.getvalue()


# -- limits -------------------------------------------------------------------------------------

SMALL = FileLimits(max_member_bytes=MIB, max_total_bytes=3 * MIB)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    return zip_of_zeros("zeros.txt", 100 * MIB)  # about 100 KB


def test_a_zip_bomb_stops_at_the_member_limit(zip_bomb):
    reading = read_file(zip_bomb, limits=SMALL)
    assert len(zip_bomb) < 200_000
    assert reading.unreadable == (
        "zeros.txt (over the extraction limit (more than 1,048,576 bytes))",
    )


@pytest.mark.parametrize(
    ("compress", "name"), [(gzip.compress, "gzip"), (bz2.compress, "bzip2"), (lzma.compress, "xz")]
)
def test_a_compressed_bomb_stops_at_the_member_limit(compress, name):
    reading = read_file(compress(bytes(20 * MIB)), limits=SMALL)
    assert (reading.kind, reading.detail) == (
        "unreadable",
        "over the extraction limit (more than 1,048,576 bytes)",
    )


def test_a_member_whose_header_understates_its_size_is_corrupt_not_read_further():
    honest = make_zip({"big.txt": b"A" * (2 * MIB), "a.env": KEYFILE})
    reading = read_file(patch_zip_entry(honest, "big.txt", file_size=100), limits=SMALL)
    assert reading.unreadable == ("big.txt (corrupt zip member)",)
    assert where_found(reading) == ["a.env"]


def test_a_member_whose_header_claims_four_gigabytes_is_not_read():
    lying = patch_zip_entry(
        make_zip({"x.txt": b"x", "a.env": KEYFILE}), "x.txt", file_size=2**32 - 16
    )
    reading = read_file(lying)
    assert reading.unreadable == ("x.txt (over the extraction limit (more than 33,554,432 bytes))",)
    assert where_found(reading) == ["a.env"]


def test_the_total_decompressed_limit_stops_the_rest_of_the_archive():
    members = {f"{n}.txt": b"x" * (MIB - 10) for n in range(5)}
    reading = read_file(make_zip(members), limits=SMALL)
    assert len(reading.texts) == 3
    over = "over the extraction limit (more than 3,145,728 bytes in all)"
    assert reading.unreadable == (f"3.txt ({over})", f"4.txt and the members after it ({over})")


@pytest.mark.parametrize(
    ("data", "limits", "expected"),
    [
        (make_zip({f"{n}.txt": b"x" for n in range(30)}), FileLimits(max_members=10),
         "over the extraction limit (more than 10 members)"),
        (make_pdf([["p"]] * 12), FileLimits(max_pdf_pages=10),
         "over the extraction limit (more than 10 pages)"),
        (ENV.encode() * 100, FileLimits(max_chars=1000),
         "over the extraction limit (more than 1,000 characters)"),
        (make_zip({"a.txt": b"x"}), FileLimits(max_seconds=0),
         "over the extraction limit (more than 0 seconds)"),
    ],
)  # fmt: skip
def test_a_file_over_a_limit_is_unreadable_and_says_which(data, limits, expected):
    reading = read_file(data, limits=limits)
    assert (reading.kind, reading.detail) == ("unreadable", expected)


def test_archives_nested_past_the_depth_limit_are_not_opened():
    data = KEYFILE
    for level in range(5):
        data = make_zip({f"level{level}.zip" if level else "a.env": data})
    reading = read_file(data)
    assert readers(reading) == ()
    assert reading.unreadable == ("level4.zip/level3.zip/level2.zip/level1.zip (nested too deep)",)
    assert where_found(read_file(data, limits=FileLimits(max_depth=5))) == [
        "level4.zip/level3.zip/level2.zip/level1.zip/a.env"
    ]


def test_a_sparse_spreadsheet_cannot_make_the_reader_walk_empty_cells_forever():
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = KEY
    book.active.cell(row=500_000, column=2, value="far away")
    out = io.BytesIO()
    book.save(out)
    reading = read_file(out.getvalue(), limits=FileLimits(max_cells=100_000))
    assert reading.detail == "over the extraction limit (more than 100,000 spreadsheet cells)"


# -- hostile input ------------------------------------------------------------------------------

MAGIC = [
    *(b"%PDF-1.7\n", b"PK\x03\x04", b"\x1f\x8b\x08", b"BZh9", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd"),
    *(b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WAVE", b"\xff\xfb\x90\x00", b"\xff\xfe", b""),
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(MAGIC), data=st.binary(max_size=4096))
def test_no_input_makes_read_file_raise(prefix, data):
    reading = read_file(prefix + data)
    assert reading.kind in {"media", "text", "document", "archive", "unreadable", "empty"}


@pytest.mark.parametrize(
    "sample",
    [
        make_pdf([["a", KEY], ["b"]]),
        make_docx(KEY, header="h"),
        make_xlsx({"S": {"A1": KEY}}),
        make_pptx([KEY], notes={1: "n"}),
        make_zip({"a.txt": KEYFILE, "n.zip": make_zip({"b": b"c"})}),
    ],
)
def test_damaged_documents_never_raise(sample):
    rng = random.Random(len(sample))
    for _ in range(150):
        damaged = bytearray(sample)
        for _ in range(rng.choice([1, 4, 16])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        reading = read_file(bytes(damaged))
        assert KEY not in reading.detail  # reasons never quote the content
        assert not any(KEY in part for part in reading.unreadable)


def test_an_empty_file_is_empty():
    assert read_file(b"") == FileReading("empty", "no data", ())


# -- what hides beside what the readers take -------------------------------------------------


def _docx_with_core_property(text: str) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_docx("quarterly plan"))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = data.replace(
                    b"</cp:coreProperties>",
                    f"<dc:creator>{text}</dc:creator></cp:coreProperties>".encode(),
                )
            target.writestr(item, data)
        target.writestr("word/notes.txt", f"spare {text}")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("png text chunk", png_with_text(f"key {KEY}")),
        ("after an image's end", png_with_text("x") + f"key {KEY}".encode()),
        ("jpeg comment", b"\xff\xd8\xff\xfe\x00\x80" + f"key {KEY}".encode() + bytes(40)),
        ("after a pdf's end", make_pdf([["hello"]]) + f"\n% key {KEY}\n".encode()),
        (
            "zip comment",
            make_zip({"a.bin": bytes(range(256))})[:-2]
            + struct.pack("<H", len(KEY))
            + KEY.encode(),
        ),
        ("zip member name", make_zip({f"{KEY}.bin": bytes(range(256))})),
        ("docx properties and stray parts", _docx_with_core_property(KEY)),
        ("xlsx sheet name", make_xlsx({KEY[:31]: {"A1": "x"}})),
    ],
)
def test_text_beside_what_readers_take_is_read_too(name: str, data: bytes) -> None:
    texts = read_file(data).texts
    marker = KEY[:31] if "sheet" in name else KEY
    found = [t for t in texts if marker in t.text]
    assert found, name
    assert all(not t.redactable for t in found)


def test_strings_are_searched_for_patterns_not_names() -> None:
    strings = [t for t in read_file(png_with_text(f"key {KEY}")).texts if t.where == STRINGS]
    assert strings and not strings[0].prose


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_ascii_behind_a_utf16_bom_is_still_read_as_ascii(bom: bytes) -> None:
    reading = read_file(bom + f"key={KEY}\n".encode())
    assert any(KEY in t.text for t in reading.texts)
