"""The alert store in the state database: latest snapshot, state history and deliveries
make the view; several processes write it at once and nothing is lost."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.alerts.factories import secret_alert
from warden.alerts.alert import AlertState, StateChange
from warden.alerts.deliveries import NewDelivery
from warden.alerts.store import UnknownAlert, change_state
from warden.state.alerts import SqliteAlertStore
from warden.state.db import StateDB
from warden.state.deliveries import SqliteDeliveryQueue


@pytest.fixture
def db(tmp_path):
    db = StateDB.for_data_dir(tmp_path)
    yield db
    db.close()


def queue_delivery(db: StateDB, alert_id: str, sink: str = "soc") -> None:
    now = time.time()
    SqliteDeliveryQueue(db).enqueue([NewDelivery(alert_id, sink, "alert", {}, now, now + 60)], 10)


def test_latest_snapshot_state_and_deliveries_make_the_view(tmp_path, db):
    proxy = SqliteAlertStore(db)
    alert = secret_alert()
    proxy.record_alert(alert)
    older = alert.snapshot()
    alert.count, alert.rev = 7, 2
    proxy.record_alert(alert)
    proxy.record_alert(older)  # a late older revision never replaces a newer one
    queue_delivery(db, alert.id)
    dashboard = SqliteAlertStore(StateDB.for_data_dir(tmp_path))  # another connection
    change_state(dashboard, alert.id, AlertState.ACKNOWLEDGED, "sam", "looking")
    [view] = proxy.alerts()
    assert view.alert["count"] == 7
    assert view.state is AlertState.ACKNOWLEDGED and view.state_by == "sam"
    assert view.state_note == "looking"
    [delivery] = view.deliveries
    assert delivery["sink"] == "soc" and delivery["state"] == "pending"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "state.sqlite3"
    ]


def test_open_acknowledged_resolved_and_reopened_with_history(db):
    store = SqliteAlertStore(db)
    alert = secret_alert()
    store.record_alert(alert)
    assert store.get(alert.id).state is AlertState.OPEN
    change_state(store, alert.id, AlertState.ACKNOWLEDGED, "sam")
    change_state(store, alert.id, AlertState.RESOLVED, "kim", "key rotated")
    view = store.get(alert.id)
    assert view.state is AlertState.RESOLVED and view.state_by == "kim"
    assert [h["state"] for h in view.history] == ["acknowledged", "resolved"]
    change_state(store, alert.id, AlertState.OPEN, "kim", "it happened again")
    assert store.get(alert.id).state is AlertState.OPEN
    assert [v.id for v in store.alerts(state=AlertState.OPEN)] == [alert.id]
    assert store.alerts(state=AlertState.RESOLVED) == []


def test_state_changes_need_a_known_alert_and_a_person(db):
    store = SqliteAlertStore(db)
    alert = secret_alert()
    store.record_alert(alert)
    with pytest.raises(UnknownAlert):
        change_state(store, "nope", AlertState.RESOLVED, "kim")
    with pytest.raises(ValueError):
        change_state(store, alert.id, AlertState.RESOLVED, "  ")


def test_retention_removes_old_alerts_with_their_states_and_deliveries(db):
    store = SqliteAlertStore(db)
    old, recent = secret_alert(user="old"), secret_alert(user="recent")
    old.last_seen = time.time() - 10 * 86_400
    store.record_alerts([old, recent])
    for alert in (old, recent):
        change_state(store, alert.id, AlertState.RESOLVED, "sam", "rotated")
        queue_delivery(db, alert.id)
    assert store.remove_before(time.time() - 86_400) == 1
    assert [v.id for v in store.alerts()] == [recent.id]
    con = db.connection()
    assert con.execute("SELECT count(*) FROM alert_states").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 1


def test_a_privacy_purge_removes_a_persons_alerts_states_and_deliveries(tmp_path, db):
    store = SqliteAlertStore(db)
    alice, bob = secret_alert(user="alice"), secret_alert(user="bob")
    for alert in (alice, bob):
        store.record_alert(alert)
        queue_delivery(db, alert.id)
        change_state(store, alert.id, AlertState.ACKNOWLEDGED, "sam", "calling them")
    assert store.purge_user("alice") == 1
    [left] = store.alerts()
    assert left.id == bob.id and left.state is AlertState.ACKNOWLEDGED
    assert len(left.deliveries) == 1
    db.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con = db.connection()
    left_over = con.execute(
        "SELECT (SELECT count(*) FROM alerts WHERE id = :id)"
        " + (SELECT count(*) FROM alert_states WHERE alert_id = :id)"
        " + (SELECT count(*) FROM deliveries WHERE alert_id = :id)",
        {"id": alice.id},
    ).fetchone()[0]
    assert left_over == 0
    assert store.purge_user("alice") == 0


_WRITER = """
import sys
from pathlib import Path
from warden.alerts.alert import AlertState, StateChange
from warden.state.alerts import SqliteAlertStore
from warden.state.db import StateDB
store = SqliteAlertStore(StateDB.for_data_dir(Path(sys.argv[1])))
for i in range(int(sys.argv[2])):
    store.record_state(StateChange("bob-alert", AlertState.ACKNOWLEDGED, "sam", str(i)))
"""


def test_purges_in_one_process_lose_nothing_another_process_writes(tmp_path, db):
    store = SqliteAlertStore(db)
    alice = secret_alert(user="alice")
    writes = 500
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(tmp_path), str(writes)],
        cwd=Path(__file__).parents[2],
    )
    while writer.poll() is None:  # purge and apply retention over and over while it writes
        store.record_alert(alice)
        store.record_state(StateChange(alice.id, AlertState.RESOLVED, "sam"))
        store.purge_user("alice")
        store.remove_before(0.0)
    assert writer.returncode == 0
    notes = (
        db.connection()
        .execute("SELECT note FROM alert_states WHERE alert_id = 'bob-alert'")
        .fetchall()
    )
    assert sorted(int(n[0]) for n in notes) == list(range(writes))
