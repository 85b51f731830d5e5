"""Coaching passes in the state database (the PassStore of warden/policy/coaching.py).

A pass granted through one Warden process is honoured by every other process on the
machine and after a restart; the pass ends at the time it was granted for, wherever it is
read. Ended passes are deleted now and then; they can never be honoured again.
"""

from __future__ import annotations

import time

from warden.state.db import StateDB

__all__ = ["SqlitePasses"]

EXPIRE_EVERY = 1_000  # grants between two deletions of ended passes


class SqlitePasses:
    def __init__(self, db: StateDB) -> None:
        self.db = db
        self._grants = 0

    def expires(self, user: str, app: str, rule_id: str) -> float | None:
        row = (
            self.db.connection()
            .execute(
                "SELECT expires_at FROM coach_passes WHERE user = ? AND app = ? AND rule_id = ?",
                (user, app, rule_id),
            )
            .fetchone()
        )
        return float(row[0]) if row else None

    def grant(self, user: str, app: str, rule_id: str, expires: float) -> None:
        with self.db.write() as con:
            con.execute(
                "INSERT INTO coach_passes (user, app, rule_id, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user, app, rule_id) DO UPDATE SET expires_at = excluded.expires_at",
                (user, app, rule_id, expires),
            )
        self._grants += 1
        if self._grants % EXPIRE_EVERY == 0:
            self.expire(time.time())

    def expire(self, now: float) -> int:
        with self.db.write() as con:
            return con.execute("DELETE FROM coach_passes WHERE expires_at <= ?", (now,)).rowcount
