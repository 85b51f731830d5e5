"""Mutable state that several Warden processes share: one SQLite database in WAL mode.

Alerts and their states, pending alert deliveries with every attempt, quota counters and
admin requests (a purge asked of the running proxy) live in <data dir>/state.sqlite3.
Immutable audit events stay in Parquet (warden/store); the dashboard's reviews stay in its
own file (dashboard/review/store.py). Each kind of state is reached through a small
Protocol (AlertStore, DeliveryQueue, CounterStore, AdminRequests) so that a fleet can put
Redis behind the same calls; the classes here are the one-machine backend.
"""

from __future__ import annotations

from pathlib import Path

from warden.state.db import StateDB

__all__ = ["open_state"]


def open_state(data_dir: Path) -> StateDB:
    """The data directory's state database, with earlier-format files imported (once)."""
    from warden.state.migration import migrate  # imports the alert and policy modules

    db = StateDB.for_data_dir(data_dir)
    migrate(data_dir, db)
    return db
