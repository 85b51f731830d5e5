"""One query connection: the store's `events`, the review states and the alert tables.

A private in-memory DuckDB per use (warden.store.reader.connect): it only reads Parquet
segments, and copies the alerts out of the state database (SQLite in WAL mode: reading
never waits for the proxy's writes), so it never takes a lock the proxy needs, and
connections of concurrent browser sessions never share state.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.review.store import ReviewStore
from warden.alerts.service import alerts_dir
from warden.state import open_state
from warden.state.alerts import SqliteAlertStore
from warden.state.db import state_path
from warden.store import reader
from warden.store.layout import StoreLayout
from warden.store.segments import list_segments

__all__ = ["open_views", "store_version"]

# Enough for both cores; DuckDB's default would be the same on this machine but may not be
# on a bigger proxy host, where the dashboard should not take every core from the proxy.
THREADS = 2

_REVIEWS_TABLE = """CREATE TEMP TABLE reviews (
    event_id VARCHAR, review_state VARCHAR, reviewed_by VARCHAR, reviewed_at DOUBLE,
    review_note VARCHAR)"""

# An alert's snapshot as the pages query it: each key of Alert.to_dict() a typed column.
_ALERT_COLUMNS = {
    "id": "VARCHAR", "rev": "BIGINT", "rule": "VARCHAR", "dedupe_key": "VARCHAR",
    "severity": "VARCHAR", "title": "VARCHAR", "detector": "VARCHAR", "category": "VARCHAR",
    "score": "DOUBLE", "reasons": "JSON", "evidence": "JSON", "user": "VARCHAR",
    "groups": "VARCHAR[]", "device": "VARCHAR", "client_ip": "VARCHAR", "app": "VARCHAR",
    "app_name": "VARCHAR", "vendor": "VARCHAR", "host": "VARCHAR", "model": "VARCHAR",
    "action": "VARCHAR", "policy_rule": "VARCHAR", "sinks": "VARCHAR[]", "count": "BIGINT",
    "first_seen": "DOUBLE", "last_seen": "DOUBLE", "window_ends": "DOUBLE",
    "first_event_id": "VARCHAR", "last_event_id": "VARCHAR", "metrics": "JSON",
    "test": "BOOLEAN",
}  # fmt: skip
_STATES_TABLE = """CREATE TEMP TABLE alert_states (
    alert_id VARCHAR, state VARCHAR, who VARCHAR, note VARCHAR, "at" DOUBLE)"""
_DELIVERIES_TABLE = """CREATE TEMP TABLE alert_deliveries (
    alert_id VARCHAR, sink VARCHAR, kind VARCHAR, state VARCHAR, attempts BIGINT,
    last_error VARCHAR, delivered_at DOUBLE, next_attempt_at DOUBLE, "at" DOUBLE)"""


@contextlib.contextmanager
def open_views(data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """`events` (the store), `reviews` (current review state per event) and `alerts`,
    `alert_states`, `alert_deliveries` (the alert store), all read-only snapshots."""
    con = reader.connect(data_dir, threads=THREADS)
    try:
        _load_reviews(con, data_dir)
        _load_alerts(con, data_dir)
        yield con
    finally:
        con.close()


def store_version(data_dir: Path) -> tuple[object, ...]:
    """Changes when anything the pages show may have changed: new segments, alert or
    delivery changes, new review actions. Part of every cache key, so a cached answer is never stale
    by more than the data that arrived since the listing."""
    try:
        segments = tuple(
            sorted(
                str(s.path) for d in StoreLayout(data_dir).writer_dirs() for s in list_segments(d)
            )
        )
    except OSError:
        segments = ()
    alerts: tuple[object, ...] = ()
    if _has_alert_state(data_dir):
        db = open_state(data_dir)
        try:
            alerts = SqliteAlertStore(db).version()
        finally:
            db.close()
    return segments, alerts, ReviewStore.for_data_dir(data_dir).version()


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


def _has_alert_state(data_dir: Path) -> bool:
    # Reading never creates the database; files of an earlier version are imported.
    return state_path(data_dir).exists() or any(alerts_dir(data_dir).glob("*.jsonl"))


def _load_alerts(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """`alerts` (one row per alert with its current state), `alert_states` and
    `alert_deliveries` (latest per alert, sink and kind), copied from the state database."""
    alerts: list[tuple[object, ...]] = []
    states: list[tuple[object, ...]] = []
    deliveries: list[tuple[object, ...]] = []
    if _has_alert_state(data_dir):
        db = open_state(data_dir)
        try:
            alerts, states, deliveries = SqliteAlertStore(db).tables()
        finally:
            db.close()
    frame = pd.DataFrame(
        alerts, columns=["document", "state", "state_by", "state_at", "state_note"]
    ).astype({"document": str, "state": str, "state_by": object, "state_note": object})
    frame["state_at"] = frame["state_at"].astype(float)
    structure = json.dumps(_ALERT_COLUMNS)
    con.register("_alert_rows", frame)
    con.execute(
        "CREATE TEMP TABLE alerts AS SELECT unnest(from_json(document, ?)), "
        "state, state_by::VARCHAR AS state_by, state_at::DOUBLE AS state_at, "
        "state_note::VARCHAR AS state_note FROM _alert_rows",
        [structure],
    )
    con.unregister("_alert_rows")
    _insert(con, _STATES_TABLE, "alert_states", states)
    _insert(con, _DELIVERIES_TABLE, "alert_deliveries", deliveries)


def _insert(
    con: duckdb.DuckDBPyConnection, create: str, table: str, rows: list[tuple[object, ...]]
) -> None:
    con.execute(create)
    if rows:
        con.register("_rows", pd.DataFrame(rows))
        con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
        con.unregister("_rows")
