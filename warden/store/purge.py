"""Removing events from the store: the retention sweep and a purge of one person's events.

Segments are immutable, so a purge writes each affected segment again without the removed
events, as the same range one generation up (which supersedes the old file atomically; see
segments.py). The old file is deleted after the grace period. Admin events, the record of
purges themselves, are never removed by a purge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warden.store.parquet import write_segment
from warden.store.schema import EventType
from warden.store.segments import SegmentName, list_segments, live_segments
from warden.store.sql import file_list, literal

__all__ = ["PurgeResult", "older_than", "purge", "user_is"]


@dataclass(frozen=True, slots=True)
class PurgeResult:
    events_removed: int = 0
    segments_rewritten: int = 0


def user_is(user: str) -> str:
    return f'"user" = {literal(user)} AND "type" <> {literal(EventType.ADMIN)}'


def older_than(cutoff: datetime) -> str:
    stamp = cutoff.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return f'"time" < TIMESTAMP {literal(stamp)} AND "type" <> {literal(EventType.ADMIN)}'


def purge(con: duckdb.DuckDBPyConnection, events_dir: Path, predicate: str) -> PurgeResult:
    """Rewrite every live segment holding events that match `predicate`, without them."""
    live = live_segments(list_segments(events_dir))
    if not live:
        return PurgeResult()
    # NULL (e.g. an event with no user) must count as "no match", not disappear with it.
    match = f"coalesce(({predicate}), false)"
    counts = dict(
        con.execute(
            f"SELECT filename, count(*) FROM read_parquet({file_list(s.path for s in live)}, "
            f"filename = true, union_by_name = true) WHERE {match} GROUP BY filename"
        ).fetchall()
    )
    removed = rewritten = 0
    for segment in live:
        count = int(counts.get(str(segment.path), 0))
        if not count:
            continue
        keep = f"SELECT * FROM read_parquet({literal(str(segment.path))}) WHERE NOT {match}"
        name = SegmentName(segment.name.lo, segment.name.hi, segment.name.gen + 1)
        write_segment(con, keep, events_dir, name)
        removed += count
        rewritten += 1
    return PurgeResult(removed, rewritten)
