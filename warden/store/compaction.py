"""Merging small segments into bigger ones, so readers open a few files instead of thousands.

The writer flushes up to one segment a second. Size-tiered merging keeps the count small:
whenever FANOUT or more neighbouring live segments are each under a size threshold, they
become one segment; thresholds grow by FANOUT per tier up to MAX_ROWS. Each event is
rewritten about once per tier, a handful of times in its life. A merge is a new segment
that supersedes its inputs (see segments.py), so it is atomic for every reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

from warden.store.parquet import write_segment
from warden.store.segments import Segment, SegmentName
from warden.store.views import snapshot_events_sql

__all__ = ["BASE_ROWS", "FANOUT", "MAX_ROWS", "merge", "plan_merges"]

FANOUT = 8
BASE_ROWS = 16_384  # a tier-0 segment: about one second of traffic at full load
MAX_ROWS = 2_000_000  # segments stop growing here: a rewrite stays a few seconds of work
MAX_INPUTS = 64  # keep one merge's memory and file handles bounded


def plan_merges(live: list[Segment], rows: Mapping[Path, int]) -> list[list[Segment]]:
    """Runs of neighbouring live segments to merge, lowest tier first; [] when none is due.

    `live` must be every live segment, ordered by range: a merge may only cover segments
    that are next to each other, or it would hide one it did not copy.
    """
    threshold = BASE_ROWS
    while threshold <= MAX_ROWS:
        runs = _runs_under(live, rows, threshold)
        due = [run for run in runs if len(run) >= FANOUT]
        if due:
            return due
        threshold *= FANOUT
    return []


def _runs_under(
    live: list[Segment], rows: Mapping[Path, int], threshold: int
) -> list[list[Segment]]:
    runs: list[list[Segment]] = []
    run: list[Segment] = []
    total = 0
    for segment in live:
        count = rows.get(segment.path, 0)
        fits = count < threshold and total + count <= MAX_ROWS and len(run) < MAX_INPUTS
        if not fits and run:
            runs.append(run)
            run, total = [], 0
            fits = count < threshold
        if fits:
            run.append(segment)
            total += count
    if run:
        runs.append(run)
    return runs


def merge(con: duckdb.DuckDBPyConnection, events_dir: Path, run: list[Segment]) -> Path:
    """Write one segment holding every event of `run`, superseding them."""
    name = SegmentName(run[0].name.lo, run[-1].name.hi, max(s.name.gen for s in run) + 1)
    return write_segment(con, snapshot_events_sql([s.path for s in run]), events_dir, name)
