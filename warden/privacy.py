"""A person's privacy request: remove everything Warden recorded about them.

One procedure for every front end (`warden logs purge`, the dashboard's Users page):

1. the alerts about them, from the state store, with their deliveries and states;
2. their events, by whoever writes the store: this process if no proxy runs, else the running
   proxy's writer, asked through an admin request (warden/store/requests.py). The proxy's
   alerting then forgets what it holds about them in memory and purges its alerts again;
3. an `admin` event records who did it and how much went, and is never purged itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warden.state import open_state
from warden.state.alerts import SqliteAlertStore
from warden.state.requests import SqliteAdminRequests
from warden.store import reader
from warden.store.lock import StoreLocked
from warden.store.requests import AdminRequest, RequestTimeout, ask
from warden.store.writer import StoreWriter, WriterSettings

__all__ = ["PersonPurge", "PersonRecords", "count_records", "purge_person"]


@dataclass(frozen=True, slots=True)
class PersonRecords:
    events: int
    alerts: int


@dataclass(frozen=True, slots=True)
class PersonPurge:
    ok: bool
    events_removed: int = 0
    segments_rewritten: int = 0
    alerts_removed: int = 0
    error: str | None = None  # why the events could not be purged (the alerts may be gone)


def count_records(data_dir: Path, user: str, front_end: str = "cli") -> PersonRecords:
    """What a purge of `user` would remove, for the question asked before it."""
    con = reader.connect(data_dir)
    try:
        (events,) = con.execute(
            "SELECT count(*) FROM events WHERE \"user\" = ? AND type <> 'admin'", [user]
        ).fetchone() or (0,)
    finally:
        con.close()
    db = open_state(data_dir)
    try:
        alerts = SqliteAlertStore(db).alerts()
    finally:
        db.close()
    return PersonRecords(int(events), sum(1 for v in alerts if v.alert.get("user") == user))


def purge_person(
    data_dir: Path, user: str, actor: str, front_end: str = "cli", timeout_s: float = 60.0
) -> PersonPurge:
    """Remove `user`'s alerts, then their events, recording that `actor` did it.

    `front_end` names who asks ("cli", "dashboard")."""
    # Alerts first, so the purge's admin event can say how many went with the events.
    db = open_state(data_dir)
    try:
        alerts_removed = SqliteAlertStore(db).purge_user(user)
    finally:
        db.close()
    writer = StoreWriter(data_dir, WriterSettings(lock_timeout_s=0.0))
    try:
        writer.start()
    except StoreLocked:
        return _ask_the_proxy(data_dir, user, actor, alerts_removed, timeout_s)
    try:
        maintainer = writer.become_maintainer()  # False: running workers maintain the lake
        done = writer.purge_user(user, actor, alerts_removed) if maintainer else None
    finally:
        writer.close()
    if done is None:
        return _ask_the_proxy(data_dir, user, actor, alerts_removed, timeout_s)
    _tell_running_processes(data_dir, user, actor, done.events_removed)
    return PersonPurge(True, done.events_removed, done.segments_rewritten, alerts_removed)


def _tell_running_processes(data_dir: Path, user: str, actor: str, removed: int) -> None:
    """A fleet instance writing to its own part of the lake may still hold the person in
    memory (alert windows, baselines): it forgets them when it reads this record."""
    db = open_state(data_dir)
    try:
        SqliteAdminRequests(db).record(
            AdminRequest("purge_user", actor, {"user": user}),
            {"ok": True, "events_removed": removed, "done_by": "cli"},
        )
    finally:
        db.close()


def _ask_the_proxy(
    data_dir: Path, user: str, actor: str, alerts_removed: int, timeout_s: float
) -> PersonPurge:
    params = {"user": user, "alerts_removed": alerts_removed}
    db = open_state(data_dir)
    try:
        requests = SqliteAdminRequests(db)
        answer = ask(requests, AdminRequest("purge_user", actor, params), timeout_s)
    except RequestTimeout as e:
        return PersonPurge(False, alerts_removed=alerts_removed, error=str(e))
    finally:
        db.close()
    if not answer.get("ok"):
        error = str(answer.get("error") or "the running proxy could not purge")
        return PersonPurge(False, alerts_removed=alerts_removed, error=error)
    return PersonPurge(
        True,
        int(answer.get("events_removed", 0)),
        int(answer.get("segments_rewritten", 0)),
        alerts_removed,
    )
