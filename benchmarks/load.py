"""The measurements, all taken client-side: sequential latency, concurrent throughput, TTFB."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from benchmarks.http1 import BenchError, Connection, Route

# On top of a phase's own duration: enough for slow connection setup, short enough that a hung
# proxy fails the run instead of stalling it.
PHASE_GRACE_S = 30.0


class Numbered:
    """Request bytes with a new number stamped over MARK for each request: every request has
    the same length, but no two carry the same prompt, as no two people type the same message.
    (A proxy that remembers what it scanned must not get the same text again and again.)"""

    MARK = b"#00000000"

    def __init__(self, template: bytes) -> None:
        head, mark, tail = template.partition(self.MARK)
        if not mark:
            raise ValueError("the request has no #00000000 to number")
        self._head, self._tail, self._count = head, tail, 0

    def __call__(self) -> bytes:
        self._count += 1
        return b"%s#%08d%s" % (self._head, self._count % 100_000_000, self._tail)


type Payload = bytes | Callable[[], bytes]


def _bytes(payload: Payload) -> bytes:
    return payload if isinstance(payload, bytes) else payload()


@dataclass(frozen=True)
class Summary:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    mean_ms: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks; `ordered` must be sorted and non-empty."""
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Samples:
    """Per-request times and the wall time they took; rounds of one phase add up."""

    ns: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, other: Samples) -> None:
        self.ns += other.ns
        self.seconds += other.seconds

    def summary(self) -> Summary:
        if not self.ns:
            raise BenchError("no request completed in the measurement window")
        ordered = sorted(ns / 1e6 for ns in self.ns)
        return Summary(
            requests=len(ordered),
            seconds=round(self.seconds, 3),
            rps=round(len(ordered) / self.seconds, 1),
            p50_ms=round(percentile(ordered, 50), 3),
            p99_ms=round(percentile(ordered, 99), 3),
            mean_ms=round(sum(ordered) / len(ordered), 3),
        )


async def probe(route: Route, payload: Payload) -> dict:
    """One request, checked in full: the path works and really reaches the mock upstream."""
    conn = await Connection.open(route)
    try:
        response = await conn.request(_bytes(payload))
    finally:
        await conn.close()
    if response.status != 200:
        raise BenchError(f"probe got {response.status}: {response.body[:300]!r}")
    reply = json.loads(response.body)
    if not reply["choices"][0]["message"]["content"].startswith("echo:"):
        raise BenchError(f"probe got an unexpected reply: {reply}")
    return reply


async def _loop(conn: Connection, payload: Payload, deadline: int, samples: list[int]) -> None:
    # The hot loop: only the status is checked; probe() checked the body once.
    while time.perf_counter_ns() < deadline:
        data = _bytes(payload)
        start = time.perf_counter_ns()
        response = await conn.request(data)
        samples.append(time.perf_counter_ns() - start)
        if response.status != 200:
            raise BenchError(f"got {response.status}: {response.body[:300]!r}")


async def run_load(route: Route, payload: Payload, concurrency: int, duration: float) -> Samples:
    """`concurrency` keep-alive connections, each sending back to back for `duration` seconds."""
    async with asyncio.timeout(duration + PHASE_GRACE_S):
        conns = await asyncio.gather(*(Connection.open(route) for _ in range(concurrency)))
        try:
            samples: list[int] = []
            start = time.perf_counter_ns()
            deadline = start + int(duration * 1e9)
            await asyncio.gather(*(_loop(c, payload, deadline, samples) for c in conns))
            # Each connection overruns by at most one request; count the real elapsed time.
            elapsed = (time.perf_counter_ns() - start) / 1e9
        finally:
            await asyncio.gather(*(c.close() for c in conns))
    return Samples(samples, elapsed)


async def run_ttfb(route: Route, payload: Payload, count: int, timeout: float) -> Samples:
    """`count` streamed requests in a row on one connection; samples are request-to-first-byte."""
    samples: list[int] = []
    async with asyncio.timeout(timeout + PHASE_GRACE_S):
        conn = await Connection.open(route)
        try:
            start_all = time.perf_counter_ns()
            for _ in range(count):
                data = _bytes(payload)
                start = time.perf_counter_ns()
                response = await conn.request(data)
                if response.status != 200 or not response.body.endswith(b"data: [DONE]\n\n"):
                    raise BenchError(f"bad stream ({response.status}): {response.body[-300:]!r}")
                samples.append(response.first_byte_ns - start)
            elapsed = (time.perf_counter_ns() - start_all) / 1e9
        finally:
            await conn.close()
    return Samples(samples, elapsed)
