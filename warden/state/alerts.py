"""Alerts and their states in the state database (the AlertStore of warden/alerts/store.py).

One row per alert holding its latest snapshot (a newer revision replaces an older one in
the same transaction that reads it, so concurrent writers never go back a revision), one
row per state change (the history), and the deliveries of warden/state/deliveries.py.
Retention and a privacy purge are DELETEs in one transaction: nothing to compact. A purge
also closes the user's open throttle windows (warden/state/alert_windows.py) and keeps the
purged alerts' ids (random, about nobody) in `purged_alerts`: a snapshot of one still on its
way from another process is then never written back, nor delivered.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from warden.alerts.alert import Alert, AlertState, StateChange
from warden.alerts.store import AlertView
from warden.state.db import StateDB

__all__ = ["SqliteAlertStore"]

_CHUNK = 500  # ids per IN (...) list, below SQLite's variable limit

_CURRENT_STATE = """
SELECT alert_id, state, who, note, at FROM (
  SELECT alert_id, state, who, note, at,
         row_number() OVER (PARTITION BY alert_id ORDER BY at DESC, id DESC) AS n
  FROM alert_states) WHERE n = 1
"""


class SqliteAlertStore:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    # ---- writing --------------------------------------------------------------------------

    def record_alerts(self, alerts: Iterable[Alert]) -> None:
        rows = [
            (
                a.id,
                a.rev,
                a.subject.user,
                a.last_seen,
                time.time(),
                _json(a.to_dict()),
                tombstone(a.id),
            )
            for a in alerts
        ]
        if not rows:
            return
        with self.db.write() as con:
            con.executemany(
                "INSERT INTO alerts (id, rev, user, last_seen, recorded_at, document) "
                "SELECT ?, ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM purged_alerts WHERE id = ?) "
                "ON CONFLICT (id) DO UPDATE SET "
                "rev = excluded.rev, user = excluded.user, last_seen = excluded.last_seen, "
                "recorded_at = excluded.recorded_at, document = excluded.document "
                "WHERE excluded.rev >= alerts.rev",
                rows,
            )

    def record_alert(self, alert: Alert) -> None:
        self.record_alerts([alert])

    def record_state(self, change: StateChange) -> None:
        self.record_states([change])

    def record_states(self, changes: Iterable[StateChange]) -> None:
        rows = [(c.alert_id, c.state.value, c.who, c.note, c.at) for c in changes]
        if rows:
            with self.db.write() as con:
                con.executemany(
                    "INSERT INTO alert_states (alert_id, state, who, note, at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )

    def remove_before(self, cutoff: float) -> int:
        """Retention: alerts last seen before `cutoff`, with their states and deliveries."""
        with self.db.write() as con:
            ids = [
                r[0] for r in con.execute("SELECT id FROM alerts WHERE last_seen < ?", (cutoff,))
            ]
            _delete(con, ids)
            con.execute("DELETE FROM purged_alerts WHERE at < ?", (cutoff,))
        return len(ids)

    def purge_user(self, user: str) -> int:
        """A privacy request: every alert about `user`, with its states and deliveries."""
        with self.db.write() as con:
            ids = [r[0] for r in con.execute("SELECT id FROM alerts WHERE user = ?", (user,))]
            _delete(con, ids)
            opened = [
                r[0]
                for r in con.execute(
                    "DELETE FROM alert_windows WHERE user = ? RETURNING alert_id", (user,)
                )
            ]
            now = time.time()
            con.executemany(
                "INSERT OR REPLACE INTO purged_alerts (id, at) VALUES (?, ?)",
                [(tombstone(i), now) for i in {*ids, *opened}],
            )
        if ids or opened:
            self.db.checkpoint()  # the WAL still holds the deleted rows' older page images
        return len(ids)

    # ---- reading --------------------------------------------------------------------------

    def alerts(self, state: AlertState | None = None, limit: int | None = None) -> list[AlertView]:
        sql = (
            f"SELECT a.id, a.document, coalesce(s.state, 'open') AS state FROM alerts a "
            f"LEFT JOIN ({_CURRENT_STATE}) s ON s.alert_id = a.id"
        )
        params: list[object] = []
        if state is not None:
            sql += " WHERE coalesce(s.state, 'open') = ?"
            params.append(state.value)
        sql += " ORDER BY a.last_seen DESC, a.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.db.read() as con:
            rows = con.execute(sql, params).fetchall()
            ids = [r["id"] for r in rows]
            histories = _histories(con, ids)
            deliveries = _latest_deliveries(con, ids)
        return [
            _view(
                json.loads(r["document"]), histories.get(r["id"], []), deliveries.get(r["id"], [])
            )
            for r in rows
        ]

    def get(self, alert_id: str) -> AlertView | None:
        with self.db.read() as con:
            row = con.execute("SELECT document FROM alerts WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                return None
            history = _histories(con, [alert_id]).get(alert_id, [])
            deliveries = _latest_deliveries(con, [alert_id]).get(alert_id, [])
        return _view(json.loads(row["document"]), history, deliveries)

    def tables(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every alert as (document JSON, state, state_by, state_at, state_note), every state
        change, and the latest delivery per alert, sink and kind: for a reader that loads
        them elsewhere (the dashboard's DuckDB), one consistent snapshot, no JSON parsing."""
        with self.db.read() as con:
            alerts = con.execute(
                "SELECT a.document, coalesce(s.state, 'open'), s.who, s.at, s.note "
                f"FROM alerts a LEFT JOIN ({_CURRENT_STATE}) s ON s.alert_id = a.id"
            ).fetchall()
            states = con.execute(
                "SELECT alert_id, state, who, note, at FROM alert_states ORDER BY at, id"
            ).fetchall()
            deliveries = con.execute(
                "SELECT alert_id, sink, kind, state, attempts, last_error, delivered_at, "
                "next_attempt_at, updated_at FROM (SELECT *, row_number() OVER "
                "(PARTITION BY alert_id, sink, kind ORDER BY id DESC) AS n FROM deliveries) "
                "WHERE n = 1"
            ).fetchall()
        return (
            [tuple(r) for r in alerts],
            [tuple(r) for r in states],
            [tuple(r) for r in deliveries],
        )

    def version(self) -> tuple[object, ...]:
        """Changes whenever an alert, a state or a delivery changes (cache keys)."""
        row = (
            self.db.connection()
            .execute(
                "SELECT (SELECT max(recorded_at) FROM alerts), (SELECT count(*) FROM alerts), "
                "(SELECT max(id) FROM alert_states), (SELECT max(updated_at) FROM deliveries), "
                "(SELECT count(*) FROM deliveries)"
            )
            .fetchone()
        )
        return tuple(row)


def tombstone(alert_id: str) -> str:
    """What purged_alerts keeps of a purged alert: a digest of its id, enough to refuse the
    alert if another process writes it back, and nothing that names the alert itself (a
    purge leaves no trace of what it removed; tests/e2e/test_purge_e2e.py reads
    the files)."""
    return hashlib.sha256(alert_id.encode()).hexdigest()


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), allow_nan=False, default=str)


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _delete(con: Any, ids: list[str]) -> None:
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        con.execute(
            "DELETE FROM delivery_attempts WHERE delivery_id IN "
            f"(SELECT id FROM deliveries WHERE alert_id IN ({marks}))",
            chunk,
        )
        con.execute(f"DELETE FROM deliveries WHERE alert_id IN ({marks})", chunk)
        con.execute(f"DELETE FROM alert_states WHERE alert_id IN ({marks})", chunk)
        con.execute(f"DELETE FROM alerts WHERE id IN ({marks})", chunk)


def _histories(con: Any, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(ids):
        for r in con.execute(
            "SELECT alert_id, state, who, note, at FROM alert_states "
            f"WHERE alert_id IN ({','.join('?' * len(chunk))}) ORDER BY at, id",
            chunk,
        ):
            out.setdefault(r["alert_id"], []).append(dict(r))
    return out


def _latest_deliveries(con: Any, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Per alert, the latest delivery of each (sink, kind)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(ids):
        for r in con.execute(
            "SELECT alert_id, sink, kind, state, attempts, last_error, delivered_at, "
            "next_attempt_at, at FROM (SELECT *, updated_at AS at, row_number() OVER "
            "(PARTITION BY alert_id, sink, kind ORDER BY id DESC) AS n FROM deliveries "
            f"WHERE alert_id IN ({','.join('?' * len(chunk))})) WHERE n = 1 "
            "ORDER BY sink, kind",
            chunk,
        ):
            out.setdefault(r["alert_id"], []).append(dict(r))
    return out


def _view(
    alert: dict[str, Any], history: list[dict[str, Any]], deliveries: list[dict[str, Any]]
) -> AlertView:
    last = history[-1] if history else None
    state = AlertState.OPEN
    if last is not None and last.get("state") in {s.value for s in AlertState}:
        state = AlertState(str(last["state"]))
    return AlertView(
        alert,
        state,
        last.get("who") if last else None,
        last.get("at") if last else None,
        (last.get("note") or "") if last else "",
        tuple(history),
        tuple(deliveries),
    )
