"""Imports the state files of earlier versions into the state database, once.

    alerts/alerts.<writer>.jsonl      each alert's highest revision
    alerts/states.<writer>.jsonl      every state change (who acknowledged, resolved, when)
    alerts/deliveries.<writer>.jsonl  each delivery's latest outcome; one still pending or
                                      retrying is queued again (those were lost at shutdown)
    quota-counters.json               the counters of windows still open

A security team must not lose alert history on upgrade. Each file is imported in one
transaction that also records its name in `migrations`, so a crash between the import and
the rename never imports it twice; then it is renamed with a `.migrated` suffix and kept for
whoever wants to check. A half-written last line (a JSONL writer killed mid-append) is
skipped. A counter file that cannot be read is set aside as before (quota counting starts
from zero, which is the lesser harm than refusing to start).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from warden.alerts.alert import DeliveryState
from warden.policy.counter_file import FILE_NAME as COUNTER_FILE
from warden.policy.counter_file import CounterFileError, read_counters, set_aside
from warden.state.db import StateDB

__all__ = ["LEGACY_DELIVERY_MAX_AGE_S", "SUFFIX", "migrate"]

log = logging.getLogger("warden.state")

SUFFIX = ".migrated"
# A delivery still waiting in the old files is queued again for at most this long after it
# was first recorded: an alert from last month is history, not news for a pager.
LEGACY_DELIVERY_MAX_AGE_S = 86_400.0


def migrate(data_dir: Path, db: StateDB) -> int:
    """Import whatever earlier-format files are still in `data_dir`; how many were."""
    alerts_dir = data_dir / "alerts"
    done = 0
    # Alerts before states and deliveries: those name alerts.
    for kind in ("alerts", "states", "deliveries"):
        for path in sorted(alerts_dir.glob(f"{kind}.*.jsonl")):
            done += _import_once(db, path, _IMPORTERS[kind])
    counters = data_dir / COUNTER_FILE
    if counters.exists():
        done += _import_once(db, counters, _import_counters)
    return done


def _import_once(db: StateDB, path: Path, importer: Any) -> int:
    name = str(path.relative_to(path.parent.parent)) if path.parent.name == "alerts" else path.name
    try:
        with db.write() as con:
            if con.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                count = None  # imported by an earlier run that did not get to rename it
            else:
                count = importer(con, path)
                con.execute(
                    "INSERT INTO migrations (name, at, detail) VALUES (?, ?, ?)",
                    (name, time.time(), f"{count} records"),
                )
    except CounterFileError as e:
        try:
            aside = set_aside(path)
        except OSError as move_error:
            log.warning("%s; quota counters start from zero: %s", e, move_error)
            return 0
        log.warning("%s; moved it to %s and started quota counters from zero", e, aside.name)
        return 0
    with contextlib.suppress(FileNotFoundError):  # another process renamed it first
        os.replace(path, path.with_name(path.name + SUFFIX))
    if count is not None:
        log.info("imported %d records from %s into the state database", count, path)
    return 1


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    out = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a torn line: what it held never reached the file whole
        if isinstance(record, dict):
            out.append(record)
    return out


def _import_alerts(con: Any, path: Path) -> int:
    latest: dict[str, dict[str, Any]] = {}
    for record in _records(path):
        if "id" not in record:
            continue
        known = latest.get(str(record["id"]))
        if known is None or _num(record.get("rev")) >= _num(known.get("rev")):
            latest[str(record["id"])] = record
    for alert_id, record in latest.items():
        document = {k: v for k, v in record.items() if k != "recorded_at"}
        con.execute(
            "INSERT INTO alerts (id, rev, user, last_seen, recorded_at, document) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, "
            "user = excluded.user, last_seen = excluded.last_seen, "
            "recorded_at = excluded.recorded_at, document = excluded.document "
            "WHERE excluded.rev >= alerts.rev",
            (
                alert_id,
                int(_num(record.get("rev"))),
                record.get("user"),
                _num(record.get("last_seen")),
                _num(record.get("recorded_at"), time.time()),
                json.dumps(document, separators=(",", ":"), default=str),
            ),
        )
    return len(latest)


def _import_states(con: Any, path: Path) -> int:
    rows = [
        (str(r["alert_id"]), str(r["state"]), str(r.get("who") or "?"), r.get("note") or "",
         _num(r.get("at")))
        for r in _records(path)
        if r.get("alert_id") and r.get("state")
    ]  # fmt: skip
    con.executemany(
        "INSERT INTO alert_states (alert_id, state, who, note, at) VALUES (?, ?, ?, ?, ?)", rows
    )
    return len(rows)


def _import_deliveries(con: Any, path: Path) -> int:
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in _records(path):
        if not r.get("alert_id") or not r.get("sink"):
            continue
        key = (str(r["alert_id"]), str(r["sink"]), str(r.get("kind") or "alert"))
        if key not in latest or _num(r.get("at")) >= _num(latest[key].get("at")):
            latest[key] = r
    now = time.time()
    waiting = {DeliveryState.PENDING.value, DeliveryState.RETRYING.value}
    for (alert_id, sink, kind), r in latest.items():
        at = _num(r.get("at"), now)
        state = str(r.get("state") or DeliveryState.FAILED.value)
        notice = None
        if state in waiting:
            row = con.execute("SELECT document FROM alerts WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                state = DeliveryState.FAILED.value  # nothing left to send
            else:
                notice, state = row[0], DeliveryState.PENDING.value
        con.execute(
            "INSERT INTO deliveries (alert_id, sink, kind, notice, state, attempts, created_at, "
            "expires_at, next_attempt_at, delivered_at, last_error, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                alert_id, sink, kind, notice, state, int(_num(r.get("attempts"))), at,
                at + LEGACY_DELIVERY_MAX_AGE_S, now, r.get("delivered_at"), r.get("last_error"),
                at,
            ),
        )  # fmt: skip
    return len(latest)


def _import_counters(con: Any, path: Path) -> int:
    entries = read_counters(path, time.time())  # CounterFileError: set aside by the caller
    con.executemany(
        "INSERT INTO counters (key, window_start, value, expires_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (key, window_start) DO UPDATE SET value = max(value, excluded.value)",
        entries,
    )
    return len(entries)


_IMPORTERS = {"alerts": _import_alerts, "states": _import_states, "deliveries": _import_deliveries}


def _num(value: object, default: float = 0.0) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
