"""The alert store: append-only files per writer, current state from the latest record,
readable by this module and by DuckDB while the proxy appends."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from tests.alerts.factories import secret_alert
from warden.alerts.alert import AlertState, DeliveryState, DeliveryStatus, StateChange
from warden.alerts.store import JsonlAlertStore, UnknownAlert, change_state, duckdb_views_sql


def test_latest_snapshot_state_and_deliveries_make_the_view(tmp_path):
    proxy = JsonlAlertStore(tmp_path, writer="proxy")
    alert = secret_alert()
    proxy.record_alert(alert)
    alert.count, alert.rev = 7, 2
    proxy.record_alert(alert)
    proxy.record_delivery(
        DeliveryStatus(alert.id, "soc", "alert", DeliveryState.RETRYING, 1, "down")
    )
    proxy.record_delivery(
        DeliveryStatus(alert.id, "soc", "alert", DeliveryState.DELIVERED, 2, None, 123.0)
    )
    dashboard = JsonlAlertStore(tmp_path, writer="dashboard")
    change_state(dashboard, alert.id, AlertState.ACKNOWLEDGED, "sam", "looking")
    [view] = proxy.alerts()
    assert view.alert["count"] == 7
    assert view.state is AlertState.ACKNOWLEDGED and view.state_by == "sam"
    assert view.state_note == "looking"
    [delivery] = view.deliveries
    assert delivery["state"] == "delivered" and delivery["attempts"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".lock",  # the writers' advisory lock
        "alerts.dashboard.jsonl",
        "alerts.proxy.jsonl",
        "deliveries.dashboard.jsonl",
        "deliveries.proxy.jsonl",
        "states.dashboard.jsonl",
        "states.proxy.jsonl",
    ]


def test_open_acknowledged_resolved_and_reopened_with_history(tmp_path):
    store = JsonlAlertStore(tmp_path)
    alert = secret_alert()
    store.record_alert(alert)
    assert store.get(alert.id).state is AlertState.OPEN
    change_state(store, alert.id, AlertState.ACKNOWLEDGED, "sam")
    change_state(store, alert.id, AlertState.RESOLVED, "kim", "key rotated")
    view = store.get(alert.id)
    assert view.state is AlertState.RESOLVED and view.state_by == "kim"
    assert [h["state"] for h in view.history] == ["acknowledged", "resolved"]
    assert store.alerts(state=AlertState.OPEN) == []
    change_state(store, alert.id, AlertState.OPEN, "kim", "it happened again")
    assert store.get(alert.id).state is AlertState.OPEN


def test_state_changes_need_a_known_alert_and_a_person(tmp_path):
    store = JsonlAlertStore(tmp_path)
    with pytest.raises(UnknownAlert):
        change_state(store, "nope", AlertState.RESOLVED, "kim")
    store.record_alert(alert := secret_alert())
    with pytest.raises(ValueError):
        change_state(store, alert.id, AlertState.RESOLVED, "  ")


def test_a_half_written_last_line_is_skipped_until_complete(tmp_path):
    store = JsonlAlertStore(tmp_path)
    store.record_alert(secret_alert())
    with (tmp_path / "alerts.proxy.jsonl").open("a") as f:
        f.write('{"id": "partial", "rev"')
    assert [v.alert["user"] for v in store.alerts()] == ["alice"]


def test_duckdb_reads_current_state_while_the_proxy_keeps_appending(tmp_path):
    proxy = JsonlAlertStore(tmp_path, writer="proxy")
    dashboard = JsonlAlertStore(tmp_path, writer="dashboard")
    first = secret_alert(user="first")
    proxy.record_alert(first)
    change_state(dashboard, first.id, AlertState.RESOLVED, "sam", "done")
    stop = threading.Event()

    def append_forever() -> None:
        n = 0
        while not stop.is_set() and n < 2000:
            proxy.record_alert(secret_alert(user=f"u{n}"))
            n += 1

    writer = threading.Thread(target=append_forever)
    writer.start()
    try:
        con = duckdb.connect()
        con.execute(duckdb_views_sql(tmp_path))
        counts = [con.execute("SELECT count(*) FROM alerts").fetchone()[0] for _ in range(5)]
        row = con.execute(
            "SELECT state, state_by, state_note, count, evidence->>'$[0].preview' "
            "FROM alerts WHERE id = ?",
            [first.id],
        ).fetchone()
    finally:
        stop.set()
        writer.join()
    assert counts == sorted(counts) and counts[0] >= 1
    assert row[:4] == ("resolved", "sam", "done", 1)
    assert row[4] == first.evidence[0].preview


def _lines(path) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in path.read_text().splitlines() if line.strip()]


def test_compaction_keeps_each_alerts_latest_snapshot_and_drops_alerts_past_retention(
    tmp_path,
):  # type: ignore[no-untyped-def]
    proxy = JsonlAlertStore(tmp_path, writer="proxy")
    recent, old = secret_alert(user="alice"), secret_alert(user="bob")
    old.id, old.first_seen, old.last_seen = "old-alert", 1_000.0, 2_000.0
    for count in range(1, 51):  # fifty repeats: fifty snapshots on disk
        recent.count, recent.rev = count, count
        proxy.record_alert(recent)
    proxy.record_alert(old)
    for alert in (recent, old):
        proxy.record_delivery(DeliveryStatus(alert.id, "soc", "alert", DeliveryState.DELIVERED))
        proxy.record_state(StateChange(alert.id, AlertState.ACKNOWLEDGED, "warden"))
    dashboard = JsonlAlertStore(tmp_path, writer="dashboard")
    change_state(dashboard, old.id, AlertState.RESOLVED, "sam", "rotated")
    change_state(dashboard, recent.id, AlertState.RESOLVED, "sam", "rotated")
    before = proxy.get(recent.id)
    with (tmp_path / "alerts.proxy.jsonl").open("a") as f:
        f.write("{half a line from a crash\n")

    done = proxy.compact(cutoff=recent.last_seen - 86_400)

    assert (done.alerts_kept, done.alerts_removed) == (1, 1)
    assert (done.lines_before, done.lines_after) == (56, 4)
    assert proxy.get(recent.id) == before  # the view is what it was: count 50, state, delivery
    assert proxy.get(old.id) is None
    assert len(_lines(tmp_path / "alerts.proxy.jsonl")) == 2  # the snapshot, the broken line
    assert "{half a line from a crash" in _lines(tmp_path / "alerts.proxy.jsonl")
    assert len(_lines(tmp_path / "deliveries.proxy.jsonl")) == 1
    # Another writer's file is never rewritten by the proxy, even for a removed alert.
    assert len(_lines(tmp_path / "states.dashboard.jsonl")) == 2
    assert not list(tmp_path.glob("*.compacting"))
    again = proxy.compact(cutoff=recent.last_seen - 86_400)
    assert again.lines_before == again.lines_after == 4


def test_duckdb_reads_the_compacted_files(tmp_path):  # type: ignore[no-untyped-def]
    proxy = JsonlAlertStore(tmp_path, writer="proxy")
    alert = secret_alert()
    for count in range(1, 4):
        alert.count, alert.rev = count, count
        proxy.record_alert(alert)
    proxy.compact(cutoff=0.0)
    con = duckdb.connect()
    con.execute(duckdb_views_sql(tmp_path))
    assert con.execute("SELECT id, count, state FROM alerts").fetchall() == [(alert.id, 3, "open")]


def test_a_privacy_purge_removes_a_persons_alerts_from_every_writers_files(tmp_path):
    proxy = JsonlAlertStore(tmp_path, writer="proxy")
    dashboard = JsonlAlertStore(tmp_path, writer="dashboard")
    alice, bob = secret_alert(user="alice"), secret_alert(user="bob")
    for alert in (alice, bob):
        proxy.record_alert(alert)
        proxy.record_delivery(DeliveryStatus(alert.id, "soc", "alert", DeliveryState.DELIVERED))
        change_state(dashboard, alert.id, AlertState.ACKNOWLEDGED, "sam", "calling them")
    alice.count, alice.rev = 2, 2
    proxy.record_alert(alice)

    assert JsonlAlertStore(tmp_path, writer="cli").purge_user("alice") == 1

    [left] = proxy.alerts()
    assert left.id == bob.id and left.state is AlertState.ACKNOWLEDGED
    assert len(left.deliveries) == 1
    everything = "".join(p.read_text() for p in tmp_path.glob("*.jsonl"))
    assert alice.id not in everything and "alice" not in everything
    assert proxy.purge_user("alice") == 0


_APPENDER = """
import sys
from pathlib import Path
from warden.alerts.alert import AlertState, StateChange
from warden.alerts.store import JsonlAlertStore
store = JsonlAlertStore(Path(sys.argv[1]), writer="dashboard")
for i in range(int(sys.argv[2])):
    store.record_state(StateChange("bob-alert", AlertState.ACKNOWLEDGED, "sam", str(i)))
"""


def test_rewrites_in_one_process_lose_nothing_another_process_appends(tmp_path):
    proxy = JsonlAlertStore(tmp_path, writer="proxy")
    # The same writer's file as the other process appends to: each purge rewrites it.
    same_file = JsonlAlertStore(tmp_path, writer="dashboard")
    alice = secret_alert(user="alice")
    appends = 2000
    appender = subprocess.Popen(
        [sys.executable, "-c", _APPENDER, str(tmp_path), str(appends)],
        cwd=Path(__file__).parents[2],
    )
    while appender.poll() is None:  # purge and compact over and over while it appends
        proxy.record_alert(alice)
        same_file.record_state(StateChange(alice.id, AlertState.RESOLVED, "sam"))
        proxy.purge_user("alice")
        proxy.compact(cutoff=0.0)
    assert appender.returncode == 0
    lines = (tmp_path / "states.dashboard.jsonl").read_text().splitlines()
    assert sorted(int(json.loads(line)["note"]) for line in lines) == list(range(appends))
