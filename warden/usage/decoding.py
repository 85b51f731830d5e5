"""Undo a response's Content-Encoding chunk by chunk, on a copy, within a byte budget.

The bytes the client receives are never touched: usage counting reads a decoded copy. A
corrupt stream or one that decodes past the budget simply stops being read (the answer
still flows; usage then falls back to an estimate over what was read).
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli
import zstandard

__all__ = ["StreamDecoder"]

_SLICE = 256 * 1024
_ZSTD_STEP = 128  # see warden/schemas/decoding.py: bounds one step's output to ~4 MiB


class _Stage(Protocol):
    def decode(self, data: bytes, budget: int) -> bytes: ...


class StreamDecoder:
    """Decodes the listed codings (last applied first); `failed` once it cannot go on."""

    def __init__(self, content_encoding: str | None, budget: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self.budget = budget
        self.failed: str | None = None
        self._stages: list[_Stage] = []
        for coding in reversed(codings):
            stage = _make_stage(coding)
            if stage is None:
                self.failed = f"unknown content-encoding {coding}"
                break
            self._stages.append(stage)

    def decode(self, data: bytes) -> bytes:
        if self.failed or not data:
            return b""
        try:
            for stage in self._stages:
                data = stage.decode(data, self.budget + 1)
        except (zlib.error, brotli.error, zstandard.ZstdError) as e:
            self.failed = f"corrupt response body: {e}"
            return b""
        if len(data) > self.budget:
            self.failed = "response decodes past the reading budget"
            data = data[: self.budget]
        self.budget -= len(data)
        return data


def _make_stage(coding: str) -> _Stage | None:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Deflate()
    if coding == "br":
        return _Brotli()
    if coding == "zstd":
        return _Zstd()
    return None


class _Zlib:
    def __init__(self, wbits: int) -> None:
        self._d = zlib.decompressobj(wbits)

    def decode(self, data: bytes, budget: int) -> bytes:
        out = bytearray()
        pending = data
        while pending and len(out) < budget:
            out += self._d.decompress(pending, min(_SLICE, budget - len(out)))
            pending = self._d.unconsumed_tail
        return bytes(out)


class _Deflate:
    """HTTP "deflate" is meant to be zlib-wrapped; some servers send raw deflate."""

    def __init__(self) -> None:
        self._inner: _Zlib | None = None

    def decode(self, data: bytes, budget: int) -> bytes:
        if self._inner is None:
            self._inner = _Zlib(zlib.MAX_WBITS)
            try:
                return self._inner.decode(data, budget)
            except zlib.error:
                self._inner = _Zlib(-zlib.MAX_WBITS)
        return self._inner.decode(data, budget)


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def decode(self, data: bytes, budget: int) -> bytes:
        out = bytearray(self._d.process(data, output_buffer_limit=min(_SLICE, budget)))
        while len(out) < budget and not self._d.can_accept_more_data():
            more = self._d.process(b"", output_buffer_limit=min(_SLICE, budget - len(out)))
            if not more:
                break
            out += more
        return bytes(out)


class _Zstd:
    def __init__(self) -> None:
        self._d = zstandard.ZstdDecompressor().decompressobj()

    def decode(self, data: bytes, budget: int) -> bytes:
        out = bytearray()
        for start in range(0, len(data), _ZSTD_STEP):
            out += self._d.decompress(data[start : start + _ZSTD_STEP])
            if len(out) >= budget:
                break
        return bytes(out)
