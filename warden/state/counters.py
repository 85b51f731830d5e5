"""Quota counters in the state database (the CounterStore of warden/policy/counters.py).

`add` is one UPSERT in one write transaction, so it is atomic across threads and processes:
two proxies adding to the same user's window never lose an increment. Amounts may be
negative (a reservation given back when a request is refused after the policy stage).
Windows that have ended are deleted now and then; they can never be read again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from warden.policy.counters import CounterEntry
from warden.state.db import StateDB

__all__ = ["SqliteCounters"]

EXPIRE_EVERY = 10_000  # adds between two deletions of ended windows


class SqliteCounters:
    def __init__(self, db: StateDB) -> None:
        self.db = db
        self._adds = 0

    def get(self, key: str, window_start: float) -> float:
        row = (
            self.db.connection()
            .execute(
                "SELECT value FROM counters WHERE key = ? AND window_start = ?",
                (key, window_start),
            )
            .fetchone()
        )
        return float(row[0]) if row else 0.0

    def add(self, key: str, window_start: float, amount: float, expires_at: float) -> float:
        with self.db.write() as con:
            (value,) = con.execute(
                "INSERT INTO counters (key, window_start, value, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key, window_start) DO UPDATE SET value = value + excluded.value, "
                "expires_at = max(expires_at, excluded.expires_at) RETURNING value",
                (key, window_start, amount, expires_at),
            ).fetchone()
        self._adds += 1
        if self._adds % EXPIRE_EVERY == 0:
            self.expire(time.time())
        return float(value)

    def expire(self, now: float) -> int:
        with self.db.write() as con:
            return con.execute("DELETE FROM counters WHERE expires_at <= ?", (now,)).rowcount

    def entries(self, now: float) -> list[CounterEntry]:
        """Every counter whose window has not ended."""
        rows = self.db.connection().execute(
            "SELECT key, window_start, value, expires_at FROM counters WHERE expires_at > ? "
            "ORDER BY key, window_start",
            (now,),
        )
        return [(r[0], float(r[1]), float(r[2]), float(r[3])) for r in rows]

    def import_entries(self, entries: Iterable[CounterEntry]) -> int:
        """Counters from an older format; a window already counted here keeps the larger."""
        rows = list(entries)
        with self.db.write() as con:
            con.executemany(
                "INSERT INTO counters (key, window_start, value, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key, window_start) DO UPDATE SET "
                "value = max(value, excluded.value)",
                rows,
            )
        return len(rows)
