"""Which segments get merged: neighbours of similar size, FANOUT at a time, tier by tier."""

from __future__ import annotations

from pathlib import Path

from warden.store.compaction import BASE_ROWS, FANOUT, MAX_ROWS, plan_merges
from warden.store.segments import Segment, SegmentName


def segments(*rows: int) -> tuple[list[Segment], dict[Path, int]]:
    out = [Segment(SegmentName(i, i, 0), Path(f"s{i}")) for i in range(1, len(rows) + 1)]
    return out, {s.path: n for s, n in zip(out, rows, strict=True)}


def lows(runs: list[list[Segment]]) -> list[list[int]]:
    return [[s.name.lo for s in run] for run in runs]


def test_fewer_than_fanout_small_segments_wait():
    assert plan_merges(*segments(*[10] * (FANOUT - 1))) == []


def test_fanout_small_neighbours_are_merged():
    assert lows(plan_merges(*segments(*[10] * FANOUT))) == [list(range(1, FANOUT + 1))]


def test_a_big_segment_splits_runs_of_small_ones():
    rows = [10] * 3 + [BASE_ROWS * 4] + [10] * FANOUT
    assert lows(plan_merges(*segments(*rows))) == [list(range(5, 5 + FANOUT))]


def test_merged_segments_are_merged_again_one_tier_up():
    rows = [BASE_ROWS] * FANOUT  # each too big for tier 0, all small for tier 1
    assert lows(plan_merges(*segments(*rows))) == [list(range(1, FANOUT + 1))]


def test_segments_stop_growing_at_the_maximum():
    rows = [MAX_ROWS // 2 + 1] * FANOUT
    assert plan_merges(*segments(*rows)) == []
