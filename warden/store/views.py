"""The SQL behind the `events` view, in its two forms.

- snapshot: over an explicit list of live segments taken from one listing of the lake. Used by
  Warden's own readers (`warden logs`, the dashboard), which rebuild it for each query, so
  they always see one consistent set of segments.
- dynamic: over a glob, with the live-segment rule applied in SQL. Stored in the catalog
  file warden.duckdb for people with a DuckDB shell, so the view follows new segments by
  itself. DuckDB lists the glob when it binds the query and the live set when it runs it;
  if a compaction lands in between, that one query can miss the compacted events (never
  count them twice); running it again gives the full answer.

Both start from a typed empty SELECT of every column, so `events` has the full schema even
over segments written before a column existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from warden.store.schema import empty_events_sql
from warden.store.segments import LIVE_SEGMENTS_SQL, SEGMENT_GLOB
from warden.store.sql import file_list, literal

__all__ = ["dynamic_views", "snapshot_events_sql"]


def snapshot_events_sql(files: Sequence[Path]) -> str:
    if not files:
        return empty_events_sql()
    scan = f"SELECT * FROM read_parquet({file_list(files)}, union_by_name = true)"
    return f"{empty_events_sql()} UNION ALL BY NAME {scan}"


def dynamic_views(events_root: Path) -> list[str]:
    """CREATE VIEW statements for segment_files, live_segments and events over the lake at
    `events_root`: every instance's directory (layout.py).

    At least one segment file must exist when these are created (DuckDB checks the glob).
    """
    pattern = literal(str(events_root.resolve() / "**" / SEGMENT_GLOB))
    live = LIVE_SEGMENTS_SQL.format(files="SELECT file FROM segment_files")
    scan = (
        f"SELECT * EXCLUDE (filename) FROM read_parquet({pattern}, union_by_name = true, "
        "filename = true) WHERE filename IN (SELECT file FROM live_segments)"
    )
    return [
        f"CREATE OR REPLACE VIEW segment_files AS SELECT file FROM glob({pattern})",
        f"CREATE OR REPLACE VIEW live_segments AS {live}",
        f"CREATE OR REPLACE VIEW events AS {empty_events_sql()} UNION ALL BY NAME {scan}",
    ]
