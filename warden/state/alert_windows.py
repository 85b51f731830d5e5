"""Alert throttle windows in the state database (the AlertWindows of warden/alerts/windows.py).

Every Warden process on the machine opens the same table, so a dedupe key repeated in two
processes is one alert whose count holds both repeats. An occurrence is one write
transaction (BEGIN IMMEDIATE, see db.py): read the key's window, then add to it, or replace
an ended one and open a new window; so exactly one process opens each window (and delivers
its alert), and exactly one takes an ended window for its summary (here, or in `expire`).
The row keeps the alert's first document so any process can build the alert and its
summary. A privacy purge deletes the user's windows in the transaction that deletes their
alerts (warden/state/alerts.py).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from warden.alerts.alert import Alert
from warden.alerts.windows import Outcome, WindowsUnreachable, joined
from warden.state.db import StateDB

__all__ = ["SqliteAlertWindows"]

_COLUMNS = (
    "key, alert_id, user, window_ends, summary, count, rev, last_seen, score, last_event_id, "
    "document"
)


class SqliteAlertWindows:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    def occur(self, opening: Alert, summary: bool, now: float) -> Outcome:
        try:
            return self._occur(opening, summary, now)
        except (sqlite3.Error, OSError) as e:
            raise WindowsUnreachable(f"state database not writable ({type(e).__name__})") from e

    def _occur(self, opening: Alert, summary: bool, now: float) -> Outcome:
        key = opening.dedupe_key
        with self.db.write() as con:
            row = con.execute(
                f"SELECT {_COLUMNS} FROM alert_windows WHERE key = ?", (key,)
            ).fetchone()
            ended = None
            if row is not None:
                if row["window_ends"] > now:
                    alert = joined(_alert(row), opening, now)
                    con.execute(
                        "UPDATE alert_windows SET count = ?, rev = ?, last_seen = ?, score = ?, "
                        "last_event_id = ? WHERE key = ?",
                        (alert.count, alert.rev, alert.last_seen, alert.score,
                         alert.last_event_id, key),
                    )  # fmt: skip
                    return Outcome(alert, new=False)
                if row["summary"] and row["count"] > 1:
                    ended = _alert(row)
                con.execute("DELETE FROM alert_windows WHERE key = ?", (key,))
            con.execute(
                f"INSERT INTO alert_windows ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key, opening.id, opening.subject.user, opening.window_ends, int(summary),
                    opening.count, opening.rev, opening.last_seen, opening.score,
                    opening.last_event_id, _json(opening.to_dict()),
                ),
            )  # fmt: skip
        return Outcome(opening.snapshot(), new=True, ended=ended)

    def expire(self, now: float) -> list[Alert]:
        try:
            # A read first: most seconds nothing has ended, and a read takes no write lock.
            due = (
                self.db.connection()
                .execute("SELECT 1 FROM alert_windows WHERE window_ends <= ? LIMIT 1", (now,))
                .fetchone()
            )
            if due is None:
                return []
            with self.db.write() as con:
                rows = con.execute(
                    f"DELETE FROM alert_windows WHERE window_ends <= ? RETURNING {_COLUMNS}",
                    (now,),
                ).fetchall()
        except (sqlite3.Error, OSError) as e:
            raise WindowsUnreachable(f"state database not writable ({type(e).__name__})") from e
        return [_alert(r) for r in rows if r["summary"] and r["count"] > 1]

    def forget_user(self, user: str) -> int:
        try:
            with self.db.write() as con:
                return con.execute("DELETE FROM alert_windows WHERE user = ?", (user,)).rowcount
        except (sqlite3.Error, OSError) as e:
            raise WindowsUnreachable(f"state database not writable ({type(e).__name__})") from e

    def open_count(self) -> int:
        try:
            (count,) = self.db.connection().execute("SELECT count(*) FROM alert_windows").fetchone()
        except (sqlite3.Error, OSError) as e:
            raise WindowsUnreachable(f"state database not readable ({type(e).__name__})") from e
        return int(count)


def _alert(row: Any) -> Alert:
    """The window's alert: its first document with the counts as they stand."""
    alert = Alert.from_dict(json.loads(row["document"]))
    alert.count = int(row["count"])
    alert.rev = int(row["rev"])
    alert.last_seen = float(row["last_seen"])
    alert.score = float(row["score"])
    alert.last_event_id = row["last_event_id"]
    alert.window_ends = float(row["window_ends"])
    return alert


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), allow_nan=False, default=str)
