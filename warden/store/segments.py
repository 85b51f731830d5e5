"""Segment files: their names, which ones are live, and the atomic way to add one.

A segment is an immutable Parquet file in <data_dir>/events/ named

    seg-<lo>-<hi>-g<gen>.parquet

where lo..hi is the range of flush numbers whose events it holds and gen its generation.
A flush writes seg-N-N-g0. Compaction merges a contiguous run into seg-lo-hi-g(max+1);
a purge rewrites one segment as the same range with gen+1. A segment is *superseded* when
another one covers its whole range with a higher generation; the live segments are the rest.

Every change is one new file renamed into place (atomic on POSIX), never an in-place edit,
so a reader sees either the old set of live segments or the new one: each event is counted
exactly once and no reader meets a half-written file. Superseded files are deleted only
after a grace period, so a query that listed them a moment earlier can still open them.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LIVE_SEGMENTS_SQL",
    "SEGMENT_GLOB",
    "Segment",
    "SegmentName",
    "commit_file",
    "delete_superseded",
    "list_segments",
    "live_lake_segments",
    "live_segments",
    "remove_stale_temp_files",
    "temp_path",
]

SEGMENT_GLOB = "seg-*.parquet"
TEMP_SUFFIX = ".tmp"  # "seg-...parquet.tmp" does not match SEGMENT_GLOB: readers never see it
_NAME = re.compile(r"^seg-(\d+)-(\d+)-g(\d+)\.parquet$")


@dataclass(frozen=True, slots=True)
class SegmentName:
    lo: int
    hi: int
    gen: int

    @classmethod
    def parse(cls, filename: str) -> SegmentName | None:
        m = _NAME.match(filename)
        return cls(int(m[1]), int(m[2]), int(m[3])) if m else None

    @property
    def filename(self) -> str:
        return f"seg-{self.lo:012d}-{self.hi:012d}-g{self.gen:04d}.parquet"

    def supersedes(self, other: SegmentName) -> bool:
        return self.lo <= other.lo and self.hi >= other.hi and self.gen > other.gen


@dataclass(frozen=True, slots=True)
class Segment:
    name: SegmentName
    path: Path


# The same rule as live_segments(), in SQL, for views over a glob of the whole lake (see
# catalog.py): ranges compare within one instance's directory, quarantined files are out.
# {files} is a query returning one column `file`.
LIVE_SEGMENTS_SQL = r"""
WITH named AS (
    SELECT file, parse_dirpath(file) AS dir,
           regexp_extract(file, 'seg-(\d+)-(\d+)-g(\d+)\.parquet$', ['lo', 'hi', 'gen']) AS m
    FROM ({files})
), parsed AS (
    SELECT file, dir, CAST(m.lo AS BIGINT) AS lo, CAST(m.hi AS BIGINT) AS hi,
           CAST(m.gen AS BIGINT) AS gen
    FROM named WHERE m.lo <> '' AND parse_filename(dir) <> 'quarantine'
)
SELECT a.file FROM parsed a
WHERE NOT EXISTS (
    SELECT 1 FROM parsed b
    WHERE b.dir = a.dir AND b.lo <= a.lo AND b.hi >= a.hi AND b.gen > a.gen
)
"""


def list_segments(events_dir: Path) -> list[Segment]:
    """Every segment file present, live or not, ordered by range."""
    try:
        entries = list(os.scandir(events_dir))
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        name = SegmentName.parse(entry.name)
        # Files only: a directory (an instance's) is never a segment, whatever its name.
        if name is not None and entry.is_file(follow_symlinks=False):
            found.append(Segment(name, events_dir / entry.name))
    found.sort(key=lambda s: (s.name.lo, s.name.hi, s.name.gen))
    return found


def live_segments(segments: list[Segment]) -> list[Segment]:
    return [s for s in segments if _superseder(s, segments) is None]


def live_lake_segments(writer_dirs: list[Path]) -> list[Segment]:
    """The live segments of every instance (StoreLayout.writer_dirs()): the whole lake.
    Ranges are an instance's own numbering, so liveness is decided per directory."""
    return [s for d in writer_dirs for s in live_segments(list_segments(d))]


def _superseder(segment: Segment, segments: list[Segment]) -> Segment | None:
    for other in segments:
        if other.name.supersedes(segment.name):
            return other
    return None


def temp_path(final: Path) -> Path:
    return final.with_name(final.name + TEMP_SUFFIX)


def commit_file(temp: Path, final: Path) -> None:
    """Make a fully written temp file visible under its final name, durably."""
    # fsync before rename: after a crash the name must never point at a file whose data
    # blocks never reached the disk.
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temp, final)
    _fsync_dir(final.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temp_files(events_dir: Path) -> int:
    """Delete temp files a crashed writer left behind; they were never visible to readers."""
    removed = 0
    for path in events_dir.glob("*" + TEMP_SUFFIX):
        if not path.is_file():
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def delete_superseded(events_dir: Path, grace_s: float, now: float | None = None) -> int:
    """Delete superseded segments whose replacement has been visible for `grace_s` seconds."""
    now = time.time() if now is None else now
    segments = list_segments(events_dir)
    removed = 0
    for segment in segments:
        superseder = _superseder(segment, segments)
        if superseder is None:
            continue
        try:
            visible_since = superseder.path.stat().st_mtime
        except FileNotFoundError:
            continue
        if now - visible_since >= grace_s:
            with contextlib.suppress(FileNotFoundError):
                segment.path.unlink()
                removed += 1
    return removed
