"""Undo a request's Content-Encoding without ever holding more than the body limit."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import brotli
import zstandard

from warden.errors import BadEncoding, BodyTooLarge

__all__ = ["decode_body"]

# Output is produced a slice at a time so that memory stays near the limit, not a multiple of it.
_SLICE = 1024 * 1024
# zstd cannot be told to stop after N output bytes, so input goes in small steps instead. One
# compressed byte can expand to about 32 KiB (RLE blocks), so a step overshoots the limit by at
# most ~4 MiB before the check below sees it.
_ZSTD_STEP = 128
# RFC 9659: HTTP zstd senders keep the window at or under 8 MiB, so a larger window is refused
# rather than allocated.
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024


def decode_body(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Decode every listed Content-Encoding, last applied first; refuse output past `limit`."""
    if not body:  # nothing to decode, whatever the header claims
        return body
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        decode = _DECODERS.get(coding)
        if decode is None:
            raise BadEncoding(f"Warden cannot decode Content-Encoding: {coding}")
        body = decode(body, limit, coding)
    if len(body) > limit:
        raise BodyTooLarge(f"request body is larger than {limit} bytes")
    return body


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"request body decompresses to more than {limit} bytes")


def _corrupt(coding: str) -> BadEncoding:
    return BadEncoding(
        f"request body is marked Content-Encoding: {coding} but is not valid {coding} data"
    )


def _cut_short(coding: str) -> BadEncoding:
    return BadEncoding(
        f"request body is marked Content-Encoding: {coding} but its data is cut short"
    )


def _inflate_stream(data: bytes, wbits: int, limit: int, out: bytearray, coding: str) -> bytes:
    """Inflate one zlib/gzip/raw stream into `out`; return the bytes that follow it."""
    stream = zlib.decompressobj(wbits)
    pending = data
    try:
        while True:
            # max_length bounds what zlib may produce; 0 would mean unbounded, which this never is.
            chunk = stream.decompress(pending, min(_SLICE, limit + 1 - len(out)))
            out += chunk
            if len(out) > limit:
                raise _too_large(limit)
            if stream.eof:
                return stream.unused_data
            pending = stream.unconsumed_tail
            if not pending and not chunk:
                raise _cut_short(coding)
    except zlib.error:
        raise _corrupt(coding) from None


def _gunzip(data: bytes, limit: int, coding: str) -> bytes:
    out = bytearray()
    rest = data
    while True:
        rest = _inflate_stream(rest, 16 + zlib.MAX_WBITS, limit, out, coding)
        # A gzip body may hold several members back to back; zero padding after the last is fine.
        rest = rest.lstrip(b"\x00")
        if not rest:
            return bytes(out)


def _inflate(data: bytes, limit: int, coding: str) -> bytes:
    # "deflate" is meant to be zlib-wrapped, but some clients send raw deflate; the zlib header
    # (CM=8 and a header checksum divisible by 31) tells them apart.
    wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
    out = bytearray()
    rest = _inflate_stream(data, zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, limit, out, coding)
    if rest:
        raise _corrupt(coding)
    return bytes(out)


def _unbrotli(data: bytes, limit: int, coding: str) -> bytes:
    out = bytearray()
    decoder = brotli.Decompressor()
    try:
        chunk = decoder.process(data, output_buffer_limit=min(_SLICE, limit + 1))
        while True:
            out += chunk
            if len(out) > limit:
                raise _too_large(limit)
            if decoder.is_finished():
                return bytes(out)
            # The output limit is a soft cap, so the size check above runs after every slice.
            chunk = decoder.process(b"", output_buffer_limit=min(_SLICE, limit + 1 - len(out)))
            if not chunk and not decoder.is_finished():
                raise _cut_short(coding)  # all input used, no output left, stream still open
    except brotli.error:
        raise _corrupt(coding) from None


def _unzstd(data: bytes, limit: int, coding: str) -> bytes:
    out = bytearray()
    decompressor = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
    rest = data
    try:
        while rest:  # one zstd frame per pass; frames may be concatenated
            frame = decompressor.decompressobj()
            pos = 0
            while not frame.eof and pos < len(rest):
                out += frame.decompress(rest[pos : pos + _ZSTD_STEP])
                pos += _ZSTD_STEP
                if len(out) > limit:
                    raise _too_large(limit)
            if not frame.eof:
                raise _cut_short(coding)
            rest = frame.unused_data + rest[pos:]
    except zstandard.ZstdError:
        raise _corrupt(coding) from None
    return bytes(out)


_DECODERS: dict[str, Callable[[bytes, int, str], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
    "zstd": _unzstd,
}
