"""One query connection: the store's `events`, the review states and the alert views.

A private in-memory DuckDB per use (warden.store.reader.connect): it only reads Parquet
segments and JSON lines, so it never takes a lock the proxy needs, and connections of
concurrent browser sessions never share state. Opening one costs a directory listing.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.review.store import ReviewStore
from warden.alerts.service import alerts_dir
from warden.alerts.store import KINDS, duckdb_views_sql
from warden.store import reader

__all__ = ["open_views", "store_version"]

# Enough for both cores; DuckDB's default would be the same on this machine but may not be
# on a bigger proxy host, where the dashboard should not take every core from the proxy.
THREADS = 2

_REVIEWS_TABLE = """CREATE TEMP TABLE reviews (
    event_id VARCHAR, review_state VARCHAR, reviewed_by VARCHAR, reviewed_at DOUBLE,
    review_note VARCHAR)"""


@contextlib.contextmanager
def open_views(data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """`events` (the store), `reviews` (current review state per event) and `alerts`,
    `alert_states`, `alert_deliveries` (the alert store), all read-only snapshots."""
    con = reader.connect(data_dir, threads=THREADS)
    try:
        _load_reviews(con, data_dir)
        _alert_views(con, alerts_dir(data_dir))
        yield con
    finally:
        con.close()


def store_version(data_dir: Path) -> tuple[object, ...]:
    """Changes when anything the pages show may have changed: new segments, new alert
    lines, new review actions. Part of every cache key, so a cached answer is never stale
    by more than the data that arrived since the listing."""
    events = data_dir / "events"
    try:
        segments = tuple(sorted(p.name for p in events.glob("seg-*.parquet")))
    except OSError:
        segments = ()
    alerts = []
    for path in sorted(alerts_dir(data_dir).glob("*.jsonl")):
        with contextlib.suppress(OSError):
            stat = path.stat()
            alerts.append((path.name, stat.st_size, stat.st_mtime_ns))
    return segments, tuple(alerts), ReviewStore.for_data_dir(data_dir).version()


def _load_reviews(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    con.execute(_REVIEWS_TABLE)
    rows = ReviewStore.for_data_dir(data_dir).current()
    if rows:
        frame = pd.DataFrame(
            rows, columns=["event_id", "review_state", "reviewed_by", "reviewed_at", "review_note"]
        )
        con.register("_review_rows", frame)
        con.execute("INSERT INTO reviews SELECT * FROM _review_rows")
        con.unregister("_review_rows")


def _alert_views(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    if all(any(directory.glob(f"{kind}.*.jsonl")) for kind in KINDS):
        con.execute(duckdb_views_sql(directory))
        return
    # No alert files yet (the proxy has not started alerting): the same views over empty
    # files, so every page's SQL works unchanged and simply finds no alerts.
    con.execute(duckdb_views_sql(_empty_alerts_dir()))


@functools.cache
def _empty_alerts_dir() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="warden-dashboard-no-alerts-"))
    for kind in KINDS:
        (directory / f"{kind}.none.jsonl").touch()
    return directory
