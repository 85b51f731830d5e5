from __future__ import annotations

import gzip
import time
import zlib

import brotli
import pytest
import zstandard

from warden.errors import BadEncoding, BodyTooLarge
from warden.schemas.decoding import decode_body

LIMIT = 10 * 1024 * 1024
TEXT = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}' * 50


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def zstd_unsized(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(write_content_size=False).compress(data)


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        (None, TEXT),
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT, mtime=0)),
        ("x-gzip", gzip.compress(TEXT, mtime=0)),
        ("GZIP", gzip.compress(TEXT, mtime=0)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", raw_deflate(TEXT)),
        ("br", brotli.compress(TEXT)),
        ("zstd", zstd(TEXT)),
        ("zstd", zstd_unsized(TEXT)),
        ("gzip, br", brotli.compress(gzip.compress(TEXT, mtime=0))),
        ("deflate,zstd", zstd(zlib.compress(TEXT))),
        ("identity, gzip", gzip.compress(TEXT, mtime=0)),
    ],
)
def test_decoding_restores_the_original_body(encoding: str | None, encoded: bytes) -> None:
    assert decode_body(encoded, encoding, LIMIT) == TEXT


def test_gzip_with_several_members_decodes_to_all_of_them() -> None:
    assert decode_body(gzip.compress(b"abc") + gzip.compress(b"def"), "gzip", LIMIT) == b"abcdef"


def test_zstd_with_several_frames_decodes_to_all_of_them() -> None:
    assert decode_body(zstd(b"abc") + zstd(b"def"), "zstd", LIMIT) == b"abcdef"


def test_an_empty_body_stays_empty_whatever_the_encoding() -> None:
    assert decode_body(b"", "gzip", LIMIT) == b""


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", brotli.compress),
        ("zstd", zstd),
        ("zstd", zstd_unsized),
    ],
)
@pytest.mark.parametrize("size", [LIMIT, LIMIT + 1])
def test_output_up_to_the_limit_passes_and_one_byte_more_does_not(
    encoding: str, compress, size: int
) -> None:
    encoded = compress(b"a" * size)
    if size <= LIMIT:
        assert len(decode_body(encoded, encoding, LIMIT)) == size
    else:
        with pytest.raises(BodyTooLarge):
            decode_body(encoded, encoding, LIMIT)


BOMB = b"\0" * (50 * 1024 * 1024)


# Packed in the test, not at import: every test worker imports this module, and brotli's
# default quality alone spends two seconds on 50 MB (quality 5 packs it as small).
@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", lambda data: gzip.compress(data, compresslevel=9)),
        ("deflate", lambda data: zlib.compress(data, 9)),
        ("br", lambda data: brotli.compress(data, quality=5)),
        ("zstd", zstd_unsized),
        ("zstd", zstd),
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
    ],
)
def test_a_decompression_bomb_is_refused_quickly(encoding: str, pack) -> None:
    bomb = pack(BOMB)
    assert len(bomb) < 200_000  # 50 MB of zeros packs into kilobytes
    started = time.monotonic()
    with pytest.raises(BodyTooLarge, match="decompresses to more than 10485760 bytes"):
        decode_body(bomb, encoding, LIMIT)
    assert time.monotonic() - started < 2


def test_an_uncompressed_body_over_the_limit_is_too_large() -> None:
    with pytest.raises(BodyTooLarge, match="larger than 10 bytes"):
        decode_body(b"x" * 11, None, 10)


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", b"this is not gzip at all"),
        ("gzip", gzip.compress(TEXT, mtime=0)[:-20]),  # cut short
        ("gzip", gzip.compress(TEXT, mtime=0) + b"trailing junk"),
        ("deflate", b"\x78\x9c not really deflate"),
        ("deflate", zlib.compress(TEXT) + b"junk"),
        ("br", b"\xff\xff\xff not brotli"),
        ("br", brotli.compress(TEXT)[:-5]),
        ("zstd", b"not zstd data"),
        ("zstd", zstd(TEXT)[:-5]),
    ],
)
def test_corrupt_or_truncated_data_is_a_bad_encoding_naming_it(encoding: str, body: bytes) -> None:
    with pytest.raises(BadEncoding, match=f"Content-Encoding: {encoding}"):
        decode_body(body, encoding, LIMIT)


@pytest.mark.parametrize("encoding", ["compress", "lzma", "gzip, snappy"])
def test_an_unknown_encoding_is_a_bad_encoding_naming_it(encoding: str) -> None:
    name = encoding.split(",")[-1].strip()
    with pytest.raises(BadEncoding, match=f"cannot decode Content-Encoding: {name}"):
        decode_body(b"data", encoding, LIMIT)
