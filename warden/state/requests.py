"""Admin requests in the state database (the AdminRequests of warden/store/requests.py).

Taking a request is an UPDATE of rows nobody took yet, inside one write transaction: two
writers (or a writer and a withdrawing client) can never both have the same request.
"""

from __future__ import annotations

import json
import time
from typing import Any

from warden.state.db import StateDB
from warden.store.requests import AdminRequest

__all__ = ["SqliteAdminRequests"]

KEEP_ANSWERED_S = 86_400.0  # answered requests are the record of what was asked; a day is enough


class SqliteAdminRequests:
    def __init__(self, db: StateDB) -> None:
        self.db = db

    def submit(self, request: AdminRequest) -> None:
        with self.db.write() as con:
            con.execute(
                "INSERT INTO admin_requests (id, action, actor, params, submitted_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    request.id,
                    request.action,
                    request.actor,
                    json.dumps(request.params),
                    time.time(),
                ),
            )

    def take(self) -> list[AdminRequest]:
        now = time.time()
        with self.db.write() as con:
            rows = con.execute(
                "SELECT id, action, actor, params FROM admin_requests WHERE taken_at IS NULL "
                "ORDER BY submitted_at, id"
            ).fetchall()
            con.execute("UPDATE admin_requests SET taken_at = ? WHERE taken_at IS NULL", (now,))
            con.execute(
                "DELETE FROM admin_requests WHERE answered_at < ?", (now - KEEP_ANSWERED_S,)
            )
        out = []
        for r in rows:
            try:
                params = json.loads(r["params"])
            except ValueError:
                params = None
            if not isinstance(params, dict):
                self.answer(r["id"], {"ok": False, "error": "unreadable request"})
                continue
            out.append(AdminRequest(r["action"], r["actor"], params, r["id"]))
        return out

    def answer(self, request_id: str, result: dict[str, Any]) -> None:
        with self.db.write() as con:
            con.execute(
                "UPDATE admin_requests SET answered_at = ?, result = ? WHERE id = ?",
                (time.time(), json.dumps(result), request_id),
            )

    def result(self, request_id: str) -> dict[str, Any] | None:
        row = (
            self.db.connection()
            .execute("SELECT result FROM admin_requests WHERE id = ?", (request_id,))
            .fetchone()
        )
        if row is None or row[0] is None:
            return None
        result: dict[str, Any] = json.loads(row[0])
        return result

    def withdraw(self, request_id: str) -> bool:
        with self.db.write() as con:
            cursor = con.execute(
                "DELETE FROM admin_requests WHERE id = ? AND taken_at IS NULL", (request_id,)
            )
            return cursor.rowcount > 0

    def record(self, request: AdminRequest, result: dict[str, Any]) -> None:
        """Record a request a process carried out itself (a CLI purge while no proxy runs),
        so that the running processes learn of it as of one they were asked."""
        now = time.time()
        with self.db.write() as con:
            con.execute(
                "INSERT INTO admin_requests (id, action, actor, params, submitted_at, taken_at, "
                "answered_at, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.id,
                    request.action,
                    request.actor,
                    json.dumps(request.params),
                    now,
                    now,
                    now,
                    json.dumps(result),
                ),
            )

    def purged_since(self, since: float) -> list[tuple[str, str]]:
        """(request id, person) of the purges done since `since`, oldest first."""
        rows = (
            self.db.connection()
            .execute(
                "SELECT id, params, result FROM admin_requests WHERE action = 'purge_user' "
                "AND answered_at >= ? ORDER BY answered_at, id",
                (since,),
            )
            .fetchall()
        )
        out = []
        for request_id, params, result in rows:
            try:
                user = json.loads(params).get("user")
                ok = json.loads(result).get("ok")
            except (ValueError, AttributeError):
                continue
            if ok and isinstance(user, str):
                out.append((request_id, user))
        return out
