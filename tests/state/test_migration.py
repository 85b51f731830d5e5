"""Upgrading keeps the security record: alerts, their states and deliveries from the JSONL
files and quota counters from the JSON file are imported once, then the old files are
renamed with a `.migrated` suffix."""

from __future__ import annotations

import json
import sqlite3
import time

from tests.alerts.factories import secret_alert, secret_signal
from tests.support.eventually import eventually
from warden.alerts.config import AlertsConfig
from warden.alerts.service import AlertService
from warden.alerts.signal import Subject
from warden.policy.counter_file import FILE_NAME, write_counters
from warden.state import open_state
from warden.state.alerts import SqliteAlertStore
from warden.state.counters import SqliteCounters
from warden.state.db import StateDB, state_path
from warden.state.schema import SCHEMA_VERSION


def write_jsonl(path, records, torn_tail: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + torn_tail)


def old_data_dir(tmp_path):
    """A data directory as the previous version left it."""
    alerts = tmp_path / "alerts"
    first, second = secret_alert(user="alice"), secret_alert(user="bob")
    snapshot = first.to_dict()
    write_jsonl(
        alerts / "alerts.proxy.jsonl",
        [snapshot, {**snapshot, "rev": 2, "count": 9}, second.to_dict()],
        torn_tail='{"id": "half-writ',  # a writer killed mid-append
    )
    write_jsonl(
        alerts / "states.dashboard.jsonl",
        [{"alert_id": first.id, "state": "acknowledged", "who": "sam", "note": "", "at": 1.0},
         {"alert_id": first.id, "state": "resolved", "who": "kim", "note": "rotated", "at": 2.0}],
    )  # fmt: skip
    now = time.time()
    write_jsonl(
        alerts / "deliveries.proxy.jsonl",
        [{"alert_id": first.id, "sink": "hook", "kind": "alert", "state": "delivered",
          "attempts": 1, "at": now - 5, "delivered_at": now - 5},
         {"alert_id": second.id, "sink": "hook", "kind": "alert", "state": "pending",
          "attempts": 0, "at": now - 10},
         {"alert_id": second.id, "sink": "hook", "kind": "alert", "state": "retrying",
          "attempts": 3, "last_error": "webhook at 127.0.0.1: ConnectError", "at": now - 4}],
    )  # fmt: skip
    write_counters(tmp_path / FILE_NAME, [("user:alice:requests", 0.0, 7.0, now + 3600)])
    return first, second


def test_old_alerts_states_and_counters_are_imported_once_and_renamed(tmp_path):
    first, second = old_data_dir(tmp_path)
    db = open_state(tmp_path)
    store = SqliteAlertStore(db)
    views = {v.id: v for v in store.alerts()}
    assert set(views) == {first.id, second.id}
    assert views[first.id].alert["count"] == 9  # the highest revision
    assert views[first.id].state.value == "resolved" and views[first.id].state_by == "kim"
    assert [h["state"] for h in views[first.id].history] == ["acknowledged", "resolved"]
    assert views[first.id].deliveries[0]["state"] == "delivered"
    # A delivery the old version still had waiting is queued again.
    assert views[second.id].deliveries[0]["state"] == "pending"
    assert SqliteCounters(db).get("user:alice:requests", 0.0) == 7.0
    old = sorted(p.name for p in (tmp_path / "alerts").iterdir())
    assert old == [
        "alerts.proxy.jsonl.migrated",
        "deliveries.proxy.jsonl.migrated",
        "states.dashboard.jsonl.migrated",
    ]
    assert (tmp_path / (FILE_NAME + ".migrated")).exists()
    db.close()

    # Opening again (or an old file put back by hand) never imports twice.
    (tmp_path / "alerts" / "states.dashboard.jsonl.migrated").rename(
        tmp_path / "alerts" / "states.dashboard.jsonl"
    )
    again = open_state(tmp_path)
    assert len(SqliteAlertStore(again).get(first.id).history) == 2
    again.close()


def test_a_delivery_waiting_in_the_old_files_is_sent_after_the_upgrade(tmp_path, webhook):
    _, second = old_data_dir(tmp_path)
    config = AlertsConfig.model_validate(
        {"sinks": {"hook": {"type": "webhook", "url": webhook.url}}}
    )
    service = AlertService(tmp_path, config)
    try:
        eventually(lambda: len(webhook.requests) == 1)
        assert webhook.requests[0].json()["id"] == second.id
        assert service.delivery.wait_idle(5)
    finally:
        service.close()


def test_a_damaged_counter_file_is_set_aside_and_alerts_still_import(tmp_path):
    write_jsonl(tmp_path / "alerts" / "alerts.proxy.jsonl", [secret_alert().to_dict()])
    (tmp_path / FILE_NAME).write_text("{not json")
    db = open_state(tmp_path)
    assert len(SqliteAlertStore(db).alerts()) == 1
    assert any(p.name.startswith(FILE_NAME + ".unreadable-") for p in tmp_path.iterdir())
    assert not (tmp_path / FILE_NAME).exists()
    db.close()


def test_a_schema_2_state_database_upgrades_in_place_and_keeps_its_alerts(tmp_path):
    """A state database from before shared alert windows: its alerts stay, and a key raised
    by two processes on it is then one alert."""
    db = StateDB.for_data_dir(tmp_path)
    SqliteAlertStore(db).record_alerts([secret_alert(user="alice")])
    db.close()
    con = sqlite3.connect(state_path(tmp_path))
    con.executescript("DROP TABLE alert_windows; DROP TABLE purged_alerts; PRAGMA user_version=2")
    con.close()

    a, b = AlertService(tmp_path, AlertsConfig()), AlertService(tmp_path, AlertsConfig())
    try:
        bob = Subject(user="bob", app="openai")
        [first] = a.raise_signals([secret_signal()], bob)
        assert b.raise_signals([secret_signal()], bob) == [first]
        assert a.flush(5) and b.flush(5)
        counts = {v.alert["user"]: v.alert["count"] for v in a.store.alerts()}
        assert counts == {"alice": 1, "bob": 2}
        version = a.db.connection().execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION == 3
    finally:
        a.close()
        b.close()
