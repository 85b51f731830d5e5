"""The delivery queue in the state database (see warden/alerts/deliveries.py)."""

from __future__ import annotations

import json
import logging
import sqlite3

from warden.alerts.alert import DeliveryState, DeliveryStatus
from warden.alerts.deliveries import Attempt, NewDelivery, PendingDelivery
from warden.state.alerts import tombstone
from warden.state.db import StateDB

__all__ = ["SqliteDeliveryQueue"]

log = logging.getLogger("warden.alerts")

_WAITING = (DeliveryState.PENDING.value, DeliveryState.RETRYING.value)


def _expire(con: sqlite3.Connection, now: float, sink: str | None = None) -> int:
    """End waiting deliveries past their max age (not one being attempted right now)."""
    sql = (
        "UPDATE deliveries SET state = ?, updated_at = ?, claimed_by = NULL, "
        "claimed_until = NULL, last_error = coalesce(last_error, 'expired') "
        "WHERE state IN (?, ?) AND expires_at <= ? "
        "AND (claimed_until IS NULL OR claimed_until < ?)"
    )
    params: list[object] = [DeliveryState.EXPIRED.value, now, *_WAITING, now, now]
    if sink is not None:
        sql += " AND sink = ?"
        params.append(sink)
    # Each expired delivery's history ends with its expiry, as when an attempt runs past the
    # max age: the analyst reads "expired", not a last "retrying" that never came.
    sql += " RETURNING id"
    expired = [row[0] for row in con.execute(sql, params).fetchall()]
    con.executemany(
        "INSERT INTO delivery_attempts (delivery_id, at, outcome, error_class, error) "
        "VALUES (?, ?, ?, NULL, 'not delivered within its max age')",
        [(delivery_id, now, DeliveryState.EXPIRED.value) for delivery_id in expired],
    )
    return len(expired)


class SqliteDeliveryQueue:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    def enqueue(self, deliveries: list[NewDelivery], max_pending: int) -> list[NewDelivery]:
        if not deliveries:
            return []
        refused: list[NewDelivery] = []
        with self.db.write() as con:
            waiting: dict[str, int] = {}
            for d in deliveries:
                purged = "SELECT 1 FROM purged_alerts WHERE id = ?"
                if con.execute(purged, (tombstone(d.alert_id),)).fetchone():
                    continue  # its alert was purged (a privacy request) while this was on its way
                if d.sink not in waiting:
                    (waiting[d.sink],) = con.execute(
                        "SELECT count(*) FROM deliveries WHERE sink = ? AND state IN (?, ?)",
                        (d.sink, *_WAITING),
                    ).fetchone()
                if waiting[d.sink] >= max_pending:
                    refused.append(d)
                    state, error = DeliveryState.FAILED.value, "delivery queue full"
                else:
                    waiting[d.sink] += 1
                    state, error = DeliveryState.PENDING.value, None
                con.execute(
                    "INSERT INTO deliveries (alert_id, sink, kind, notice, state, created_at, "
                    "expires_at, next_attempt_at, last_error, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        d.alert_id,
                        d.sink,
                        d.kind,
                        json.dumps(d.notice, separators=(",", ":"), default=str),
                        state,
                        d.created_at,
                        d.expires_at,
                        d.created_at,
                        error,
                        d.created_at,
                    ),
                )
        return refused

    def claim(self, sink: str, owner: str, now: float, lease_s: float) -> PendingDelivery | None:
        with self.db.write() as con:
            # Past their max age: ended here, so a worker never keeps waking up for them.
            expired = _expire(con, now, sink)
            row = con.execute(
                "SELECT id, alert_id, sink, kind, notice, attempts, created_at, expires_at "
                "FROM deliveries WHERE sink = ? AND state IN (?, ?) AND next_attempt_at <= ? "
                "AND (claimed_until IS NULL OR claimed_until < ?) "
                "AND (expires_at IS NULL OR expires_at > ?) "
                "ORDER BY next_attempt_at, id LIMIT 1",
                (sink, *_WAITING, now, now, now),
            ).fetchone()
            if row is not None:  # in the same transaction: no other worker can take it
                con.execute(
                    "UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                    (owner, now + lease_s, row["id"]),
                )
        if expired:
            log.error("%d alert deliveries to %s expired undelivered", expired, sink)
        if row is None:
            return None
        return PendingDelivery(
            row["id"],
            row["alert_id"],
            row["sink"],
            row["kind"],
            json.loads(row["notice"]),
            row["attempts"],
            row["created_at"],
            row["expires_at"],
        )

    def next_due_at(self, sink: str) -> float | None:
        row = (
            self.db.connection()
            .execute(
                "SELECT min(max(next_attempt_at, coalesce(claimed_until, 0))) FROM deliveries "
                "WHERE sink = ? AND state IN (?, ?)",
                (sink, *_WAITING),
            )
            .fetchone()
        )
        return None if row is None or row[0] is None else float(row[0])

    def record_attempt(self, delivery_id: int, owner: str, attempt: Attempt) -> None:
        with self.db.write() as con:
            con.execute(
                "INSERT INTO delivery_attempts (delivery_id, at, outcome, error_class, error) "
                "VALUES (?, ?, ?, ?, ?)",
                (delivery_id, attempt.at, attempt.state.value, attempt.error_class, attempt.error),
            )
            delivered = attempt.at if attempt.state is DeliveryState.DELIVERED else None
            con.execute(
                "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = coalesce(?, next_attempt_at), delivered_at = ?, "
                "updated_at = ?, claimed_by = NULL, claimed_until = NULL "
                "WHERE id = ? AND (claimed_by = ? OR claimed_by IS NULL)",
                (
                    attempt.state.value,
                    attempt.error,
                    attempt.next_attempt_at,
                    delivered,
                    attempt.at,
                    delivery_id,
                    owner,
                ),
            )

    def expire(self, now: float) -> int:
        with self.db.write() as con:
            return _expire(con, now)

    def release(self, owner: str) -> None:
        with self.db.write() as con:
            con.execute(
                "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL "
                "WHERE claimed_by = ?",
                (owner,),
            )

    def unfinished(self, sinks: list[str] | None = None) -> int:
        sql = "SELECT count(*) FROM deliveries WHERE state IN (?, ?)"
        params: list[object] = [*_WAITING]
        if sinks is not None:
            sql += f" AND sink IN ({','.join('?' * len(sinks))})" if sinks else " AND 0"
            params += sinks
        (count,) = self.db.connection().execute(sql, params).fetchone()
        return int(count)

    def oldest_unfinished(self) -> float | None:
        """When the oldest delivery still pending or retrying was queued (epoch s), or None."""
        sql = "SELECT min(created_at) FROM deliveries WHERE state IN (?, ?)"
        (oldest,) = self.db.connection().execute(sql, _WAITING).fetchone()
        return None if oldest is None else float(oldest)

    def record_outcomes(self, outcomes: list[DeliveryStatus]) -> None:
        """Deliveries already finished elsewhere (demo data, a fixture): history only."""
        with self.db.write() as con:
            con.executemany(
                "INSERT INTO deliveries (alert_id, sink, kind, state, attempts, created_at, "
                "delivered_at, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (o.alert_id, o.sink, o.kind, o.state.value, o.attempts, o.at,
                     o.delivered_at, o.last_error, o.at)
                    for o in outcomes
                ],
            )  # fmt: skip

    def attempts(self, delivery_id: int) -> list[Attempt]:
        """Every attempt at one delivery, oldest first."""
        rows = (
            self.db.connection()
            .execute(
                "SELECT at, outcome, error_class, error FROM delivery_attempts "
                "WHERE delivery_id = ? ORDER BY id",
                (delivery_id,),
            )
            .fetchall()
        )
        return [Attempt(r[0], DeliveryState(r[1]), r[2], r[3]) for r in rows]

    def rows(self) -> list[dict[str, object]]:
        """Every delivery, oldest first (for `warden alerts` and tests)."""
        return [
            dict(r)
            for r in self.db.connection().execute(
                "SELECT id, alert_id, sink, kind, state, attempts, created_at, expires_at, "
                "next_attempt_at, delivered_at, last_error FROM deliveries ORDER BY id"
            )
        ]
