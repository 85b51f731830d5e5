"""Unpack zip, tar and compressed files one member at a time, never past the budget.

Archive headers are written by whoever sent the file: a member's declared size is charged
before it is read and then enforced by a bounded read, so a lying header gains nothing.
"""

from __future__ import annotations

import bz2
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import partial

from warden.errors import BodyTooLarge, RequestRejected
from warden.schemas.decoding import decode_body
from warden.schemas.file_limits import Budget, OverLimit, Unreadable

__all__ = ["Member", "decompress", "open_zip", "read_zip_member", "tar_members", "zip_members"]

# A member's name, and a call that loads its bytes (charging them to the budget).
type Member = tuple[str, Callable[[], bytes]]

_ZIP_ENTRY = b"PK\x01\x02"
_ZIP_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def open_zip(data: bytes, budget: Budget) -> zipfile.ZipFile:
    # zipfile builds an object per central directory entry before anything can be checked
    # (130,000 entries fit in 10 MiB and take a second). Every entry starts with this
    # signature, so counting it bounds the entries from above, at memchr speed.
    if data.count(_ZIP_ENTRY) > budget.limits.max_members:
        limit = budget.limits.max_members
        raise OverLimit(f"over the extraction limit (more than {limit:,} members)")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_CORRUPT:
        raise Unreadable("could not be parsed as zip") from None


def zip_members(archive: zipfile.ZipFile, budget: Budget) -> Iterator[Member]:
    for info in archive.infolist():
        if not info.is_dir():
            yield info.filename, partial(_zip_member, archive, info, budget)


def read_zip_member(archive: zipfile.ZipFile, name: str, budget: Budget) -> bytes:
    return _zip_member(archive, archive.getinfo(name), budget)


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> bytes:
    if info.flag_bits & 0x1:
        raise Unreadable("password-protected")
    # zipfile decompresses bzip2 and lzma members without bounding the output of one call.
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Unreadable("compressed with an unsupported method")
    budget.bytes(info.file_size)
    try:
        # zipfile never returns more than the declared size and checks the CRC at the end,
        # so a member that really inflates further fails here instead of filling memory.
        with archive.open(info) as stream:
            data = stream.read(info.file_size + 1)
    except _ZIP_CORRUPT:
        raise Unreadable("corrupt zip member") from None
    if len(data) > info.file_size:
        raise Unreadable("corrupt zip member")
    return data


def tar_members(data: bytes, budget: Budget) -> Iterator[Member]:
    # "r:" reads a plain tar; a compressed one was already unpacked by decompress().
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for info in archive:  # headers are parsed lazily, one member per step
            if info.isfile():
                yield info.name, partial(_tar_member, archive, info, budget)


def _tar_member(archive: tarfile.TarFile, info: tarfile.TarInfo, budget: Budget) -> bytes:
    budget.bytes(info.size)
    stream = archive.extractfile(info)
    if stream is None:
        raise Unreadable("not a regular file")
    return stream.read(info.size)


def decompress(fmt: str, data: bytes, budget: Budget) -> bytes:
    """The content of a gzip, zstd, bzip2 or xz file, at most what one member may be."""
    limit = budget.room()
    try:
        if fmt in ("gzip", "zstd"):
            out = decode_body(data, fmt, limit)
        else:
            make = bz2.BZ2Decompressor if fmt == "bzip2" else lzma.LZMADecompressor
            out = _unstream(make, data, limit)
    except BodyTooLarge:
        budget.bytes(limit + 1)  # raises the limit that was reached: per member or in all
        raise
    except (RequestRejected, OSError, EOFError, ValueError, lzma.LZMAError):
        raise Unreadable(f"corrupt {fmt} data") from None
    budget.bytes(len(out))
    return out


def _unstream(
    make: Callable[[], bz2.BZ2Decompressor | lzma.LZMADecompressor], data: bytes, limit: int
) -> bytes:
    out = bytearray()
    rest = data
    while rest:  # one stream per pass: streams may be concatenated
        stream = make()
        chunk = stream.decompress(rest, limit + 1 - len(out))
        while True:
            out += chunk
            if len(out) > limit:
                raise BodyTooLarge("decompressed past the limit")
            if stream.eof:
                break
            if stream.needs_input or not chunk:  # input used up, or no progress: corrupt
                raise EOFError
            chunk = stream.decompress(b"", limit + 1 - len(out))
        rest = stream.unused_data.lstrip(b"\x00")  # xz allows zero padding between streams
    return bytes(out)
