"""Review state, in the dashboard's own SQLite file: <data dir>/dashboard/reviews.sqlite3.

The proxy never opens this file and the dashboard never writes the proxy's files, so neither
waits on the other's locks (DuckDB allows one writing process per file; SQLite in WAL mode
lets several dashboard processes and any number of readers share this one).

Every action is a new row, never an update: the table is the audit trail of who did what
to which request, and when. A request's state is its latest state-changing action.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = ["ReviewAction", "ReviewState", "ReviewStore", "reviews_path"]


class ReviewState(StrEnum):
    OPEN = "open"  # nobody has looked at it yet (or it was reopened)
    REVIEWED = "reviewed"  # looked at, the decision was right
    FALSE_POSITIVE = "false_positive"  # the finding or block was wrong
    ESCALATED = "escalated"  # handed on: an alert was raised for the incident team


# Actions that are not states: recorded in the trail, the state stays as it was.
NOTE_ACTIONS = frozenset({"allowlist_added"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    action TEXT NOT NULL,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    at REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    details TEXT
);
CREATE INDEX IF NOT EXISTS review_actions_event ON review_actions (event_id, id);
"""


def reviews_path(data_dir: Path) -> Path:
    return data_dir / "dashboard" / "reviews.sqlite3"


@dataclass(frozen=True, slots=True)
class ReviewAction:
    id: int
    event_id: str
    action: str  # a ReviewState value, or one of NOTE_ACTIONS
    who: str
    role: str
    at: float  # epoch seconds
    note: str
    details: dict[str, Any] | None


class ReviewStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> ReviewStore:
        return cls(reviews_path(data_dir))

    @contextlib.contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            # Reading must not create the file: an empty store simply has no rows.
            con = sqlite3.connect(":memory:")
            con.executescript(_SCHEMA)
            yield con
            con.close()
            return
        con = sqlite3.connect(self.path, timeout=10)
        try:
            if write:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(_SCHEMA)
            yield con
            con.commit()
        finally:
            con.close()

    def record(
        self,
        event_id: str,
        action: ReviewState | str,
        who: str,
        role: str,
        note: str = "",
        details: dict[str, Any] | None = None,
    ) -> ReviewAction:
        """Append one action; `who` must name a person (the trail is worthless without it)."""
        action = str(action)
        if action not in {s.value for s in ReviewState} | NOTE_ACTIONS:
            raise ValueError(f"unknown review action {action!r}")
        if not who.strip():
            raise ValueError("a review action needs the name of who did it")
        at = time.time()
        text = json.dumps(details, separators=(",", ":")) if details else None
        with self._connect(write=True) as con:
            cursor = con.execute(
                "INSERT INTO review_actions (event_id, action, who, role, at, note, details) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event_id, action, who.strip(), role, at, note.strip(), text),
            )
            row_id = int(cursor.lastrowid or 0)
        return ReviewAction(row_id, event_id, action, who.strip(), role, at, note.strip(), details)

    def history(self, event_id: str) -> list[ReviewAction]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT id, event_id, action, who, role, at, note, details FROM review_actions "
                "WHERE event_id = ? ORDER BY id",
                (event_id,),
            ).fetchall()
        return [_action(row) for row in rows]

    def current(self) -> list[tuple[str, str, str, float, str]]:
        """(event_id, state, who, at, note) of every request that has a state other than
        'never touched', from its latest state-changing action."""
        placeholders = ", ".join("?" for _ in NOTE_ACTIONS)
        with self._connect() as con:
            return con.execute(
                f"""
                SELECT event_id, action, who, at, note FROM review_actions
                WHERE id IN (
                    SELECT max(id) FROM review_actions
                    WHERE action NOT IN ({placeholders}) GROUP BY event_id
                )""",
                tuple(NOTE_ACTIONS),
            ).fetchall()

    def version(self) -> int:
        """Changes whenever an action is recorded: part of the dashboard's cache keys."""
        with self._connect() as con:
            (top,) = con.execute("SELECT coalesce(max(id), 0) FROM review_actions").fetchone()
        return int(top)


def _action(row: tuple[Any, ...]) -> ReviewAction:
    details = json.loads(row[7]) if row[7] else None
    return ReviewAction(
        int(row[0]), row[1], row[2], row[3], row[4], float(row[5]), row[6] or "", details
    )
