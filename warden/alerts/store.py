"""Where alerts live: append-only JSON lines under <data dir>/alerts/, one set of files per
writer, so the proxy and the dashboard never write the same file.

    alerts.<writer>.jsonl      a full snapshot of an alert each time it changes (its count
                               went up); the current one is the highest `rev` per id
    deliveries.<writer>.jsonl  one record per delivery attempt outcome, per sink
    states.<writer>.jsonl      open / acknowledged / resolved, with who, when and a note;
                               the current state is the latest `at` per alert id

The proxy writes as "proxy"; the dashboard as "dashboard", `warden alerts ack` as "cli".
The proxy compacts its own files daily (`compact`): each alert's latest snapshot only, and
nothing of alerts last seen before the retention cutoff; other writers' files stay as written.
A privacy purge (`purge_user`, from `warden logs purge`) rewrites every writer's files. Every
append and rewrite holds an advisory lock on `<dir>/.lock` (flock), so a rewrite in one
process never loses a line another process is appending.
Readers merge every writer's files: this module for the CLI, or DuckDB for the dashboard
(`duckdb_views_sql`), both while the proxy keeps appending. A reader may catch the last line
half-written; it is skipped until it is complete. Events link to alerts through their
`alert_ids` column, and alerts to events through first_event_id / last_event_id.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from warden.alerts.alert import Alert, AlertState, DeliveryStatus, StateChange

__all__ = [
    "AlertStore",
    "AlertView",
    "Compaction",
    "JsonlAlertStore",
    "UnknownAlert",
    "change_state",
    "duckdb_views_sql",
]

log = logging.getLogger("warden.alerts")

_WRITER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
KINDS = ("alerts", "deliveries", "states")


class UnknownAlert(KeyError):
    """No alert with that id."""


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert as the dashboard shows it: its latest snapshot, state and deliveries."""

    alert: dict[str, Any]
    state: AlertState = AlertState.OPEN
    state_by: str | None = None
    state_at: float | None = None
    state_note: str = ""
    history: tuple[dict[str, Any], ...] = ()  # every state change, oldest first
    deliveries: tuple[dict[str, Any], ...] = field(default=())  # latest per sink and kind

    @property
    def id(self) -> str:
        return str(self.alert["id"])

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.alert,
            "state": self.state.value,
            "state_by": self.state_by,
            "state_at": self.state_at,
            "state_note": self.state_note,
            "history": list(self.history),
            "deliveries": list(self.deliveries),
        }


@dataclass(frozen=True, slots=True)
class Compaction:
    """What one compaction of a writer's files did."""

    alerts_kept: int
    alerts_removed: int  # last seen before the retention cutoff
    lines_before: int
    lines_after: int


class AlertStore(Protocol):
    def record_alert(self, alert: Alert) -> None: ...
    def record_delivery(self, status: DeliveryStatus) -> None: ...
    def record_state(self, change: StateChange) -> None: ...
    def alerts(self, state: AlertState | None = None, limit: int | None = None) -> list[AlertView]:
        """Newest (last seen) first."""
        ...

    def get(self, alert_id: str) -> AlertView | None: ...


class JsonlAlertStore:
    def __init__(self, directory: Path, writer: str = "proxy") -> None:
        if not _WRITER.match(writer):
            raise ValueError(f"writer name {writer!r}: lowercase letters, digits, '-' or '_'")
        self.directory = directory
        self.writer = writer
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        # Every kind has at least one file, so DuckDB's globs always match something.
        for kind in KINDS:
            self._path(kind).touch(exist_ok=True)

    def _path(self, kind: str) -> Path:
        return self.directory / f"{kind}.{self.writer}.jsonl"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """This process's threads, then every process's writers, one at a time."""
        with self._lock, (self.directory / ".lock").open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield  # closing the file releases the flock

    def _append(self, kind: str, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), allow_nan=False, default=str) + "\n"
        with self._locked(), self._path(kind).open("a", encoding="utf-8") as f:
            f.write(line)  # one write per record: readers see whole lines or a partial last one

    def append_many(self, kind: str, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        text = "".join(
            json.dumps(r, separators=(",", ":"), allow_nan=False, default=str) + "\n"
            for r in records
        )
        with self._locked(), self._path(kind).open("a", encoding="utf-8") as f:
            f.write(text)

    def record_alert(self, alert: Alert) -> None:
        self._append("alerts", {**alert.to_dict(), "recorded_at": time.time()})

    def record_delivery(self, status: DeliveryStatus) -> None:
        self._append("deliveries", status.to_dict())

    def record_state(self, change: StateChange) -> None:
        self._append("states", change.to_dict())

    def compact(self, cutoff: float) -> Compaction:
        """Rewrite this writer's files with each alert's latest snapshot only, dropping alerts
        last seen before `cutoff` (epoch seconds) with their deliveries and states. Lines that
        do not parse are kept as they are: compaction never loses what it cannot read."""
        with self._locked():
            alert_lines = self._own_lines("alerts")
            latest: dict[str, tuple[str, dict[str, Any]]] = {}
            unreadable: list[str] = []
            for line in alert_lines:
                record = _parsed(line)
                if record is None or "id" not in record:
                    unreadable.append(line)
                    continue
                alert_id = str(record["id"])
                known = latest.get(alert_id)
                rev = _number(record.get("rev"), 0)
                if known is None or rev >= _number(known[1].get("rev"), 0):
                    latest.pop(alert_id, None)  # keep the order of last change
                    latest[alert_id] = (line, record)
            removed = {
                alert_id
                for alert_id, (_, record) in latest.items()
                if _number(record.get("last_seen"), cutoff) < cutoff  # no date: kept
            }
            kept = [line for alert_id, (line, _) in latest.items() if alert_id not in removed]
            before, after = len(alert_lines), len(kept) + len(unreadable)
            self._rewrite("alerts", alert_lines, [*kept, *unreadable])
            for kind in ("deliveries", "states"):
                lines = self._own_lines(kind)
                survivors = [line for line in lines if _alert_id(line) not in removed]
                before, after = before + len(lines), after + len(survivors)
                self._rewrite(kind, lines, survivors)
        return Compaction(len(kept), len(removed), before, after)

    def purge_user(self, user: str) -> int:
        """Remove every alert about `user` from every writer's files, with its deliveries and
        state changes (a privacy request); returns how many alerts were removed."""
        with self._locked():
            removed: set[str] = set()
            for path in self._files("alerts"):
                lines = _lines_of(path)
                keep = []
                for line in lines:
                    record = _parsed(line)
                    if record is not None and record.get("user") == user and "id" in record:
                        removed.add(str(record["id"]))
                    else:
                        keep.append(line)
                _replace(path, lines, keep)
            for kind in ("deliveries", "states"):
                for path in self._files(kind):
                    lines = _lines_of(path)
                    _replace(path, lines, [ln for ln in lines if _alert_id(ln) not in removed])
        return len(removed)

    def _files(self, kind: str) -> list[Path]:
        return sorted(self.directory.glob(f"{kind}.*.jsonl"))

    def _own_lines(self, kind: str) -> list[str]:
        return _lines_of(self._path(kind))

    def _rewrite(self, kind: str, old: list[str], new: list[str]) -> None:
        _replace(self._path(kind), old, new)

    # ---- reading --------------------------------------------------------------------------

    def _records(self, kind: str) -> Iterator[dict[str, Any]]:
        for path in sorted(self.directory.glob(f"{kind}.*.jsonl")):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as e:
                log.error("cannot read %s: %s", path, e.strerror)
                continue
            lines = text.split("\n")
            for line in lines[:-1]:  # the piece after the last newline may be half-written
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    yield record

    def alerts(self, state: AlertState | None = None, limit: int | None = None) -> list[AlertView]:
        latest: dict[str, dict[str, Any]] = {}
        for record in self._records("alerts"):
            current = latest.get(record.get("id", ""))
            if current is None or record.get("rev", 0) >= current.get("rev", 0):
                latest[str(record.get("id"))] = record
        histories: dict[str, list[dict[str, Any]]] = {}
        for record in self._records("states"):
            histories.setdefault(str(record.get("alert_id")), []).append(record)
        deliveries: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
        for record in self._records("deliveries"):
            per_alert = deliveries.setdefault(str(record.get("alert_id")), {})
            key = (str(record.get("sink")), str(record.get("kind")))
            if key not in per_alert or record.get("at", 0) >= per_alert[key].get("at", 0):
                per_alert[key] = record
        views = []
        for alert_id, alert in latest.items():
            history = sorted(histories.get(alert_id, []), key=lambda r: r.get("at", 0))
            view = _view(alert, history, list(deliveries.get(alert_id, {}).values()))
            if state is None or view.state is state:
                views.append(view)
        views.sort(key=lambda v: v.alert.get("last_seen", 0), reverse=True)
        return views[:limit] if limit is not None else views

    def get(self, alert_id: str) -> AlertView | None:
        return next((v for v in self.alerts() if v.id == alert_id), None)


def _lines_of(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    return [line for line in text.split("\n") if line.strip()]


def _replace(path: Path, old: list[str], new: list[str]) -> None:
    if new == old:
        return
    # Not matched by the readers' `<kind>.*.jsonl` globs while it is being written.
    tmp = path.with_name(path.name + ".compacting")
    with tmp.open("w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("".join(line + "\n" for line in new))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)  # readers see the old file or the new one, never a mix


def _parsed(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _alert_id(line: str) -> str | None:
    record = _parsed(line)
    return str(record.get("alert_id")) if record is not None else None


def _number(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


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
        tuple(sorted(deliveries, key=lambda d: (str(d.get("sink")), str(d.get("kind"))))),
    )


def change_state(
    store: AlertStore, alert_id: str, state: AlertState, who: str, note: str = ""
) -> StateChange:
    """Acknowledge, resolve or reopen an alert; `who` is required so the record says who."""
    if not who.strip():
        raise ValueError("say who is changing the alert's state")
    if store.get(alert_id) is None:
        raise UnknownAlert(alert_id)
    change = StateChange(alert_id, state, who.strip(), note.strip())
    store.record_state(change)
    return change


def duckdb_views_sql(directory: Path) -> str:
    """SQL creating DuckDB views over the alert files: `alerts` is one row per alert with its
    current state; `alert_states` and `alert_deliveries` hold the full history."""
    d = str(directory).replace("'", "''")

    def source(kind: str, columns: dict[str, str]) -> str:
        # Explicit columns: a file with no lines yet, or a record lacking a key, still reads.
        struct = ", ".join(f"'{name}': '{kind_}'" for name, kind_ in columns.items())
        return (
            f"read_json('{d}/{kind}.*.jsonl', format='newline_delimited', "
            f"ignore_errors=true, columns={{{struct}}})"
        )

    text, num, real, js = "VARCHAR", "BIGINT", "DOUBLE", "JSON"
    alert_cols = {
        "id": text, "rev": num, "rule": text, "dedupe_key": text, "severity": text,
        "title": text, "detector": text, "category": text, "score": real, "reasons": js,
        "evidence": js, "user": text, "groups": "VARCHAR[]", "device": text,
        "client_ip": text, "app": text, "app_name": text, "vendor": text, "host": text,
        "model": text, "action": text, "policy_rule": text, "sinks": "VARCHAR[]",
        "count": num, "first_seen": real, "last_seen": real, "window_ends": real,
        "first_event_id": text, "last_event_id": text, "metrics": js, "test": "BOOLEAN",
    }  # fmt: skip
    state_cols = {"alert_id": text, "state": text, "who": text, "note": text, "at": real}
    delivery_cols = {
        "alert_id": text, "sink": text, "kind": text, "state": text, "attempts": num,
        "last_error": text, "delivered_at": real, "next_attempt_at": real, "at": real,
    }  # fmt: skip
    return f"""
CREATE OR REPLACE VIEW alert_states AS
  SELECT * FROM {source("states", state_cols)} WHERE alert_id IS NOT NULL;
CREATE OR REPLACE VIEW alert_deliveries AS
  SELECT * FROM {source("deliveries", delivery_cols)} WHERE alert_id IS NOT NULL;
CREATE OR REPLACE VIEW alerts AS
  WITH snap AS (
    SELECT * FROM {source("alerts", alert_cols)} WHERE id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY id ORDER BY rev DESC) = 1
  ), cur AS (
    SELECT alert_id, state, who, note, "at" FROM alert_states
    QUALIFY row_number() OVER (PARTITION BY alert_id ORDER BY "at" DESC) = 1
  )
  SELECT snap.*, coalesce(cur.state, 'open') AS state, cur.who AS state_by,
         cur."at" AS state_at, cur.note AS state_note
  FROM snap LEFT JOIN cur ON cur.alert_id = snap.id;
"""
