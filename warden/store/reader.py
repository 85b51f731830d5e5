"""Read the audit log while the proxy writes it: an in-memory DuckDB with an `events` view.

Readers never open a file the writer holds, so any number of them (the dashboard, `warden
logs`, scripts) run beside the proxy. Each connection sees the segments that were live when
it was opened (or last refreshed): events the writer flushed later appear on refresh, within
one flush interval (0.8 s) of being recorded.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from warden.store.layout import StoreLayout
from warden.store.schema import COLUMNS
from warden.store.segments import live_lake_segments
from warden.store.views import snapshot_events_sql

__all__ = ["connect", "read_events", "refresh", "rows_as_dicts"]

_JSON_COLUMNS = frozenset(c.name for c in COLUMNS if c.type == "JSON")


def connect(data_dir: Path, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A private in-memory connection with `events` over the store in `data_dir`."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    refresh(con, data_dir)
    return con


def refresh(con: duckdb.DuckDBPyConnection, data_dir: Path) -> int:
    """Point `events` at the segments live now in the whole lake; returns how many there are."""
    files = [s.path for s in live_lake_segments(StoreLayout(data_dir).writer_dirs())]
    con.execute(f"CREATE OR REPLACE TEMP VIEW events AS {snapshot_events_sql(files)}")
    return len(files)


def rows_as_dicts(relation: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Fetch the pending result as JSON-ready dicts: JSON columns parsed, times in ISO form."""
    names = [d[0] for d in relation.description or ()]
    out = []
    for row in relation.fetchall():
        item: dict[str, Any] = {}
        for name, value in zip(names, row, strict=True):
            if isinstance(value, datetime):
                value = value.isoformat()
            elif name in _JSON_COLUMNS and isinstance(value, str):
                value = json.loads(value)
            item[name] = value
        out.append(item)
    return out


def read_events(data_dir: Path, where: str = "true") -> list[dict[str, Any]]:
    """Every event matching the SQL condition `where`, oldest first."""
    con = connect(data_dir)
    try:
        return rows_as_dicts(con.execute(f"SELECT * FROM events WHERE {where} ORDER BY seq"))
    finally:
        con.close()
