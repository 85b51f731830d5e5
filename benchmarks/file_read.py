"""How long read_file takes on uploads of realistic sizes, each built in memory here.

    .venv/bin/python -m benchmarks.file_read [--repeat 3]

Each line is the best of --repeat runs (the first run of a format also pays its parser's
import, printed separately as "first call"). Figures are printed, not checked: compare them
within one run. The proxy's request body limit is 10 MiB, so no single upload is larger.
"""

from __future__ import annotations

import argparse
import gzip
import platform
import random
import string
import time
from collections.abc import Callable

from tests.schemas.sample_files import (
    fake_openai_key,
    make_docx,
    make_pdf,
    make_pptx,
    make_xlsx,
    make_zip,
    zip_of_zeros,
)
from warden.schemas.files import FileReading, read_file

MIB = 1024 * 1024


def prose(rng: random.Random, size: int, alphabet: str = string.ascii_letters) -> str:
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    out: list[str] = []
    length = 0
    while length < size:
        line = " ".join(rng.choices(words, k=12)) + "\n"
        out.append(line)
        length += len(line)
    return "".join(out)[:size]


def pdf_of_size(rng: random.Random, size: int) -> tuple[bytes, int]:
    lines = prose(rng, size - size // 10).splitlines()
    pages = [lines[i : i + 60] for i in range(0, len(lines), 60)]
    return make_pdf(pages), len(pages)


def shared_strings_xlsx(rows: int) -> bytes:
    """Strings in the shared table and numbers in cells, as Excel writes a workbook."""
    import io

    import xlsxwriter  # python-pptx's dependency; openpyxl writes inline strings instead

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Data")
    for row in range(rows):
        for column in range(10):
            sheet.write(row, column, f"v{row}" if column % 2 else row * 1.5)
    book.close()
    return out.getvalue()


def cases(rng: random.Random) -> list[tuple[str, Callable[[], bytes]]]:
    key = fake_openai_key(rng)
    text = prose(rng, 10 * MIB - 100) + key
    accented = prose(rng, 5 * MIB, string.ascii_letters + "äöüéèßçñ")
    return [
        ("png, 5 MiB (magic only)", lambda: b"\x89PNG\r\n\x1a\n" + rng.randbytes(5 * MIB)),
        ("text utf-8 ascii, 10 MiB", lambda: text.encode()),
        ("text utf-8 accented, ~10 MiB", lambda: accented.encode()),
        ("text latin-1, 10 MiB", lambda: (accented + accented).encode("latin-1")[: 10 * MIB]),
        ("text utf-16 no BOM, 10 MiB", lambda: text[: 5 * MIB].encode("utf-16-le")),
        ("binary junk, 10 MiB", lambda: rng.randbytes(10 * MIB)),
        ("pdf, 5 MiB", lambda: pdf_of_size(rng, 5 * MIB)[0]),
        ("docx, 2 MiB of text", lambda: make_docx(prose(rng, 2 * MIB))),
        ("xlsx, 20,000 x 10, shared strings", lambda: shared_strings_xlsx(20_000)),
        (
            "xlsx, 20,000 x 10, inline strings",
            lambda: make_xlsx(
                {"Data": {f"{c}{r}": f"v{r}" for r in range(1, 20_001) for c in "ABCDEFGHIJ"}}
            ),
        ),
        ("pptx, 100 slides", lambda: make_pptx([prose(rng, 2000) for _ in range(100)])),
        (
            "zip, 1,000 text files",
            lambda: make_zip({f"src/{n}.py": prose(rng, 4000).encode() for n in range(1000)}),
        ),
        ("gzip of 10 MiB text", lambda: gzip.compress(text.encode())),
        ("zip bomb, 1 GiB of zeros", lambda: zip_of_zeros("zeros.txt", 1024 * MIB)),
    ]


def timed(data: bytes) -> tuple[float, FileReading]:
    start = time.perf_counter()
    reading = read_file(data)
    return time.perf_counter() - start, reading


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"{'file':32} {'size':>10} {'first call':>11} {'best':>9}  {'MB/s':>7}  result")
    for name, build in cases(rng):
        data = build()
        first, reading = timed(data)
        best = min([first, *(timed(data)[0] for _ in range(args.repeat - 1))])
        chars = sum(len(piece.text) for piece in reading.texts)
        result = f"{reading.detail}, {chars:,} chars"
        if reading.unreadable:
            result += f", unreadable: {reading.unreadable[0]}"
        print(
            f"{name:32} {len(data) / MIB:8.2f}Mi {first * 1000:9.1f}ms {best * 1000:7.1f}ms"
            f"  {len(data) / MIB / best:7.1f}  {result}"
        )


if __name__ == "__main__":
    main()
