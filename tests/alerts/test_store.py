"""The alert store: append-only files per writer, current state from the latest record,
readable by this module and by DuckDB while the proxy appends."""

from __future__ import annotations

import threading

import duckdb
import pytest

from tests.alerts.factories import secret_alert
from warden.alerts.alert import AlertState, DeliveryState, DeliveryStatus
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
