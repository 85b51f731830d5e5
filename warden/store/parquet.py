"""Segment files through DuckDB: write one atomically, read their row counts, check them."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import duckdb

from warden.store.segments import Segment, SegmentName, commit_file, temp_path
from warden.store.sql import file_list, literal

__all__ = ["readable", "row_counts", "write_segment"]

# zstd: several times smaller than snappy on this data (repeated hosts, users, JSON), for a
# few per cent more CPU in the writer thread.
_COPY_OPTIONS = "FORMAT PARQUET, COMPRESSION ZSTD"


def write_segment(
    con: duckdb.DuckDBPyConnection, select_sql: str, events_dir: Path, name: SegmentName
) -> Path:
    """Write the rows of `select_sql` as segment `name`; visible only once complete."""
    final = events_dir / name.filename
    temp = temp_path(final)
    try:
        con.execute(f"COPY ({select_sql}) TO {literal(str(temp))} ({_COPY_OPTIONS})")
        commit_file(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return final


def row_counts(con: duckdb.DuckDBPyConnection, segments: Sequence[Segment]) -> dict[Path, int]:
    """Rows per segment, from the Parquet footers alone."""
    if not segments:
        return {}
    rows = con.execute(
        "SELECT file_name, num_rows FROM parquet_file_metadata("
        f"{file_list(s.path for s in segments)})"
    ).fetchall()
    by_name = {str(name): int(count) for name, count in rows}
    return {s.path: by_name.get(str(s.path), 0) for s in segments}


def readable(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """True when the footer parses and the time column can be read."""
    try:
        con.execute(f"SELECT count(*) FROM read_parquet({literal(str(path))})").fetchall()
        con.execute(f"SELECT max(time) FROM read_parquet({literal(str(path))})").fetchall()
    except duckdb.Error:
        return False
    return True
