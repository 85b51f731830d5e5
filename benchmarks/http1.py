"""A lean HTTP/1.1-over-TLS client, direct or through a proxy's CONNECT tunnel.

Deliberately not httpx: its per-request Python overhead is several times the work of parsing
a small response, and the load generator must stay far from being the bottleneck. This speaks
just enough HTTP/1.1 for the benchmark: keep-alive, Content-Length or chunked responses.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass


class BenchError(Exception):
    """The benchmark cannot trust its numbers (bad status, broken connection, bad setup)."""


@dataclass(frozen=True)
class Route:
    """How a connection reaches `host`: straight to `address`, or via the proxy at `address`."""

    host: str  # the name in the Host header and TLS SNI, e.g. api.openai.com
    address: tuple[str, int]
    via_proxy: bool
    ssl_context: ssl.SSLContext


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    # perf_counter_ns when the first chunk of a chunked body was read (for TTFB); for a
    # Content-Length body, when the whole body was read.
    first_byte_ns: int


def client_context(ca_file: str) -> ssl.SSLContext:
    """Trusts only `ca_file`: through a proxy that is its CA, so success proves interception."""
    context = ssl.create_default_context(cafile=ca_file)
    # What SDKs built on httpx offer by default; keeps every path on HTTP/1.1.
    context.set_alpn_protocols(["http/1.1"])
    return context


def build_request(host: str, path: str, body: bytes, extra: dict[str, str] | None = None) -> bytes:
    """The request bytes, built once and sent many times."""
    headers = {
        "Host": host,
        "Authorization": "Bearer sk-bench-" + "0" * 40,
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": "warden-bench/1",
        "Content-Length": str(len(body)),
        **(extra or {}),
    }
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "\r\n").encode() + body


class Connection:
    """One keep-alive connection; requests on it run one at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, route: Route) -> Connection:
        host, port = route.address
        if not route.via_proxy:
            reader, writer = await asyncio.open_connection(
                host, port, ssl=route.ssl_context, server_hostname=route.host
            )
            return cls(reader, writer)
        reader, writer = await asyncio.open_connection(host, port)
        authority = f"{route.host}:443"
        writer.write(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if head.split(b" ", 2)[1:2] != [b"200"]:
            writer.close()
            raise BenchError(f"CONNECT refused: {head[:200]!r}")
        await writer.start_tls(route.ssl_context, server_hostname=route.host)
        return cls(reader, writer)

    async def request(self, payload: bytes) -> Response:
        self._writer.write(payload)
        return await self._read_response()

    async def _read_response(self) -> Response:
        reader = self._reader
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head[:-4].split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked = -1, False
        for line in lines:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if chunked:
            return await self._read_chunked(status)
        if length < 0:
            raise BenchError("response without Content-Length or chunked: cannot keep alive")
        body = await reader.readexactly(length) if length else b""
        return Response(status, body, time.perf_counter_ns())

    async def _read_chunked(self, status: int) -> Response:
        reader = self._reader
        parts: list[bytes] = []
        first = 0
        while True:
            size = int((await reader.readline()).split(b";", 1)[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass  # trailers, if any
                return Response(status, b"".join(parts), first)
            data = await reader.readexactly(size + 2)
            first = first or time.perf_counter_ns()
            parts.append(data[:-2])

    async def close(self) -> None:
        self._writer.close()
        # Closing is best effort: the numbers are already taken.
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(self._writer.wait_closed(), 2)
