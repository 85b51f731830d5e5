"""The load model's arithmetic (benchmarks/sizing_model.py; docs/sizing.md uses its output)."""

from __future__ import annotations

import pytest

from benchmarks.sizing_model import Assumptions, Costs, costs_from_runs, size

COSTS = Costs(
    chat_ms=10.0,
    stream_extra_ms=20.0,
    coding_memo_ms=100.0,
    coding_memo_helper_ms=80.0,
    coding_fresh_ms=500.0,
    coding_fresh_helper_ms=80.0,
    chat_event_bytes=1_000.0,
    coding_event_bytes=10_000.0,
)


def test_per_request_costs_blend_memo_and_fresh_contexts_and_add_streaming() -> None:
    a = Assumptions(fresh_context_share=0.2)
    assert COSTS.chat_request_ms(a) == pytest.approx(30.0)
    assert COSTS.coding_request_ms(a) == pytest.approx(0.8 * 100 + 0.2 * 500 + 20)
    assert COSTS.coding_request_ms(Assumptions(fresh_context_share=0.2, stream=False)) == (
        pytest.approx(180.0)
    )


def test_size_turns_employees_into_peak_rate_cores_machines_and_lake_volume() -> None:
    s = size(1_000, 0.5, COSTS, Assumptions())
    # 600 daily users: 300 chat at 20/h and 300 coding at 120/h in the peak hour.
    assert s.active_users == 600
    assert s.peak_rps == pytest.approx(300 * 20 / 3600 + 300 * 120 / 3600, abs=0.05)
    # 1.67 req/s x 30 ms + 10 req/s x 200 ms = 2.05 cores busy; at 50 % utilisation: 5.
    assert s.peak_cores_busy == pytest.approx(2.05, abs=0.01)
    assert s.cores == 5
    # Detection workers 0.8 cores and proxies 1.25 cores busy: 3 proxy processes at 50 %.
    assert s.proxy_processes == 3
    assert s.machines == 2  # one 8-core machine, plus one for failover
    # Average rate = peak / 2, over 8 working hours.
    assert s.events_per_day == 168_000
    assert s.lake_gb_per_day == pytest.approx(1.46, abs=0.01)


def test_costs_from_runs_takes_the_highest_figure_of_each_workload() -> None:
    def run(scale: float) -> dict:
        def row(total: float, helpers: float = 0.0) -> dict:
            return {"cpu_ms_per_request": {"total": total * scale, "helpers": helpers * scale}}

        return {
            "workloads": {
                "chat_default": row(10),
                "stream_default": row(30),
                "coding_memo": row(100, 80),
                "coding_fresh": row(500, 80),
            },
            "lake_distinct_texts": {
                "chat": {"bytes_per_event": 700 * scale},
                "coding": {"bytes_per_event": 10_000 * scale},
            },
        }

    costs = costs_from_runs([run(1.0), run(1.5)])
    assert costs.chat_ms == 15.0
    assert costs.stream_extra_ms == 30.0
    assert costs.coding_fresh_helper_ms == 120.0
    assert costs.coding_event_bytes == 15_000.0
