"""What the benchmark prints: the machine, one row per configuration, the targets."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.load import Samples, Summary


@dataclass
class Cpu:
    """CPU seconds spent during the throughput phases, per process, and their wall time."""

    proxy: float = 0.0
    helpers: float = 0.0  # processes the proxy started (Warden's detection worker)
    client: float = 0.0
    upstream: float = 0.0
    wall: float = 0.0
    requests: int = 0  # completed in those phases

    def percent(self) -> dict[str, int]:
        wall = self.wall or 1.0
        return {
            name: round(100 * getattr(self, name) / wall)
            for name in ("proxy", "helpers", "client", "upstream")
        }

    def per_request_us(self) -> tuple[float, float]:
        """CPU µs per request: the proxy process, and its helper processes."""
        n = self.requests or 1
        return 1e6 * self.proxy / n, 1e6 * self.helpers / n


@dataclass
class Result:
    """Everything measured for one configuration (a path from client to upstream)."""

    name: str
    description: str
    latency: Samples = field(default_factory=Samples)  # concurrency 1
    load: Samples = field(default_factory=Samples)  # concurrency N
    ttfb: Samples = field(default_factory=Samples)  # streamed chat, request to first body byte
    cpu: Cpu = field(default_factory=Cpu)
    has_proxy: bool = True
    notes: list[str] = field(default_factory=list)

    def summary(self, phase: str) -> Summary | None:
        samples: Samples = getattr(self, phase)
        return samples.summary() if samples.ns else None

    def to_dict(self) -> dict[str, object]:
        def as_dict(phase: str) -> dict[str, float] | None:
            summary = self.summary(phase)
            return summary.to_dict() if summary else None

        return {
            "description": self.description,
            "latency_c1": as_dict("latency"),
            "load": as_dict("load"),
            "stream_ttfb": as_dict("ttfb"),
            "cpu_percent_during_load": self.cpu.percent(),
            "cpu_us_per_request": dict(
                zip(("proxy", "helpers"), map(round, self.cpu.per_request_us()), strict=True)
            ),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Target:
    label: str
    value: float
    unit: str
    limit: float
    higher_is_better: bool

    @property
    def passed(self) -> bool:
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def line(self) -> str:
        sign = ">=" if self.higher_is_better else "<="
        status = "PASS" if self.passed else "MISS"
        value = f"{self.value:.2f}{self.unit}"
        limit = f"{self.limit:g}{self.unit}"
        return f"  {self.label:<48} {value:>9}   target {sign} {limit:<6} {status}"

    def to_dict(self) -> dict[str, object]:
        return {
            "value": round(self.value, 4),
            "unit": self.unit.strip(),
            "limit": self.limit,
            "comparison": ">=" if self.higher_is_better else "<=",
            "pass": self.passed,
        }


def machine() -> dict[str, object]:
    from mitmproxy.version import VERSION

    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "mitmproxy": VERSION,
    }


def machine_lines(info: dict[str, object]) -> list[str]:
    return [
        f"machine: nproc {info['nproc']}, CPU {info['cpu_model']}, Linux {info['kernel']}",
        f"python {info['python']}, mitmproxy {info['mitmproxy']}, run at {info['date']}",
    ]


def _cell(summary: Summary | None, attr: str, fmt: str) -> str:
    return format(getattr(summary, attr), fmt) if summary else "-"


def table(results: list[Result], concurrency: int) -> list[str]:
    c = concurrency
    columns = [
        ("configuration", 32),
        (f"req/s c={c}", 12),
        ("p50 ms c=1", 12),
        ("p99 ms c=1", 12),
        (f"p50 ms c={c}", 13),
        (f"p99 ms c={c}", 13),
        ("TTFB p50 ms", 13),
        ("CPU% px/hp/cl/up", 18),
    ]
    header = f"{columns[0][0]:<{columns[0][1]}}" + "".join(
        f"{name:>{width}}" for name, width in columns[1:]
    )
    lines = [header, "-" * len(header)]
    for r in results:
        load, latency, ttfb = r.summary("load"), r.summary("latency"), r.summary("ttfb")
        cpu = r.cpu.percent()
        proxy_cpu = f"{cpu['proxy']}/{cpu['helpers']}" if r.has_proxy else "-/-"
        cells = [
            _cell(load, "rps", ".0f"),
            _cell(latency, "p50_ms", ".3f"),
            _cell(latency, "p99_ms", ".3f"),
            _cell(load, "p50_ms", ".2f"),
            _cell(load, "p99_ms", ".2f"),
            _cell(ttfb, "p50_ms", ".2f"),
            f"{proxy_cpu}/{cpu['client']}/{cpu['upstream']}",
        ]
        lines.append(
            f"{r.name:<{columns[0][1]}}"
            + "".join(f"{cell:>{w}}" for cell, (_, w) in zip(cells, columns[1:], strict=True))
        )
    return lines
