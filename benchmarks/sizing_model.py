"""The load model of docs/sizing.md: employees -> peak requests/s -> cores, processes, lake.

    PYTHONPATH=. .venv/bin/python -m benchmarks.sizing_model RUN.json [RUN.json ...]

RUN.json is what `python -m benchmarks.sizing --json` wrote; with several runs the highest
CPU cost per request of each workload is used (the conservative reading). Every other
number here is an assumption, named in ASSUMPTIONS and printed with the result.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Assumptions:
    daily_ai_share: float = 0.6  # of all employees, using AI on a working day
    chat_requests_per_peak_hour: float = 20.0  # per active chat user, in the peak hour
    coding_requests_per_peak_hour: float = 120.0  # per active coding-assistant user
    peak_to_average: float = 2.0  # peak-hour rate / the average working hour's rate
    working_hours: float = 8.0  # per day, all employees in one time zone (no follow-the-sun)
    fresh_context_share: float = 0.2  # coding requests whose context the memo has not seen
    utilisation: float = 0.5  # the share of each core sized to be busy at peak (headroom)
    cores_per_machine: int = 8
    stream: bool = True  # answers are streamed (chat UIs and coding assistants do)


@dataclass(frozen=True)
class Costs:
    """Measured CPU ms per request (proxy + helpers) and bytes per audit event."""

    chat_ms: float  # chat, default policy
    stream_extra_ms: float  # streamed 200-word answer over a JSON one, default policy
    coding_memo_ms: float
    coding_memo_helper_ms: float  # of which in the detection worker
    coding_fresh_ms: float
    coding_fresh_helper_ms: float
    chat_event_bytes: float
    coding_event_bytes: float

    def chat_request_ms(self, a: Assumptions) -> float:
        return self.chat_ms + (self.stream_extra_ms if a.stream else 0.0)

    def coding_request_ms(self, a: Assumptions) -> float:
        blended = (1 - a.fresh_context_share) * self.coding_memo_ms
        blended += a.fresh_context_share * self.coding_fresh_ms
        return blended + (self.stream_extra_ms if a.stream else 0.0)

    def coding_helper_ms(self, a: Assumptions) -> float:
        return (1 - a.fresh_context_share) * self.coding_memo_helper_ms + (
            a.fresh_context_share * self.coding_fresh_helper_ms
        )


@dataclass(frozen=True)
class Sizing:
    employees: int
    coding_share: float  # of the daily AI users, the share using a coding assistant
    active_users: int
    peak_rps: float
    peak_cores_busy: float  # CPU demand at peak, in fully used cores
    cores: int  # with headroom
    proxy_processes: int  # at least this many `warden run` processes in all (one core each)
    machines: int  # of cores_per_machine, one more than the cores need (failover)
    events_per_day: int
    lake_gb_per_day: float


def size(employees: int, coding_share: float, costs: Costs, a: Assumptions) -> Sizing:
    active = employees * a.daily_ai_share
    coders, chatters = active * coding_share, active * (1 - coding_share)
    chat_rps = chatters * a.chat_requests_per_peak_hour / 3600
    coding_rps = coders * a.coding_requests_per_peak_hour / 3600
    busy = (chat_rps * costs.chat_request_ms(a) + coding_rps * costs.coding_request_ms(a)) / 1000
    cores = max(1, math.ceil(busy / a.utilisation))
    # A proxy process is one core (one event loop, one GIL) and has one detection worker,
    # itself one process: neither may be asked for more than `utilisation` of its core.
    helper_busy = coding_rps * costs.coding_helper_ms(a) / 1000
    proxy_busy = busy - helper_busy
    processes = max(
        math.ceil(proxy_busy / a.utilisation), math.ceil(helper_busy / a.utilisation), 1
    )
    # N + 1: one machine can fail (or be patched) at peak with every core still under 100%.
    machines = math.ceil(cores / a.cores_per_machine) + 1
    per_day = a.working_hours / a.peak_to_average * 3600
    chat_events, coding_events = chat_rps * per_day, coding_rps * per_day
    lake = chat_events * costs.chat_event_bytes + coding_events * costs.coding_event_bytes
    return Sizing(
        employees=employees,
        coding_share=coding_share,
        active_users=round(active),
        peak_rps=round(chat_rps + coding_rps, 1),
        peak_cores_busy=round(busy, 2),
        cores=cores,
        proxy_processes=processes,
        machines=machines,
        events_per_day=round(chat_events + coding_events),
        lake_gb_per_day=round(lake / 1e9, 2),
    )


def costs_from_runs(runs: list[dict]) -> Costs:
    """The highest figure of each workload over the runs given."""

    def worst(key: str, part: str = "total") -> float:
        return max(r["workloads"][key]["cpu_ms_per_request"][part] for r in runs)

    def lake(kind: str) -> float:
        return max(r["lake_distinct_texts"][kind]["bytes_per_event"] for r in runs)

    stream_extra = max(
        r["workloads"]["stream_default"]["cpu_ms_per_request"]["total"]
        - r["workloads"]["chat_default"]["cpu_ms_per_request"]["total"]
        for r in runs
    )
    return Costs(
        chat_ms=worst("chat_default"),
        stream_extra_ms=max(0.0, stream_extra),
        coding_memo_ms=worst("coding_memo"),
        coding_memo_helper_ms=worst("coding_memo", "helpers"),
        coding_fresh_ms=worst("coding_fresh"),
        coding_fresh_helper_ms=worst("coding_fresh", "helpers"),
        chat_event_bytes=lake("chat"),
        coding_event_bytes=lake("coding"),
    )


EMPLOYEES = (1_000, 10_000, 100_000)
CODING_SHARES = (0.1, 0.3, 0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="benchmarks.sizing --json output")
    args = parser.parse_args(argv)
    costs = costs_from_runs([json.loads(p.read_text()) for p in args.runs])
    a = Assumptions()
    print("costs (measured):", json.dumps(asdict(costs)))
    print("assumptions:", json.dumps(asdict(a)))
    print(
        f"per request: chat {costs.chat_request_ms(a):.1f} ms, "
        f"coding {costs.coding_request_ms(a):.1f} ms of CPU"
    )
    print()
    print(
        f"{'employees':>10}{'coding':>8}{'active':>8}{'peak req/s':>12}{'cores busy':>12}"
        f"{'cores':>7}{'processes':>11}{'machines':>10}{'events/day':>12}{'GB/day':>8}"
    )
    for employees in EMPLOYEES:
        for share in CODING_SHARES:
            s = size(employees, share, costs, a)
            print(
                f"{s.employees:>10,}{s.coding_share:>8.0%}{s.active_users:>8,}{s.peak_rps:>12,.1f}"
                f"{s.peak_cores_busy:>12,.1f}{s.cores:>7,}{s.proxy_processes:>11,}"
                f"{s.machines:>10,}{s.events_per_day:>12,}{s.lake_gb_per_day:>8,.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
