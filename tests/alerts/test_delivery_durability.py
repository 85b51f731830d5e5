"""Alert delivery that isolates sinks and loses nothing, against real receivers: a hung
receiver delays only itself, deliveries pending at shutdown are made after a restart, and a
full disk delays alert records instead of dropping them."""

from __future__ import annotations

import sqlite3
import time

from tests.alerts.factories import secret_signal
from tests.alerts.receivers import WebhookReceiver
from tests.support import free_port
from tests.support.eventually import eventually
from warden.alerts.alert import DeliveryState
from warden.alerts.config import AlertsConfig
from warden.alerts.service import AlertService
from warden.alerts.signal import Subject
from warden.state.alerts import SqliteAlertStore


def config(sinks: dict[str, dict], **delivery) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "sinks": sinks,
            "rules": [{"id": "leaked-secret", "when": {"detectors": ["secret"]},
                       "sinks": list(sinks), "throttle": "10m"}],
            "delivery": {"backoff": "100ms", "max_backoff": "200ms", **delivery},
        }
    )  # fmt: skip


def raise_alerts(service: AlertService, count: int) -> list[str]:
    ids = []
    for i in range(count):  # one user each: no dedupe, `count` distinct alerts
        ids += service.raise_signals([secret_signal()], Subject(user=f"user{i}", app="openai"))
    return ids


def test_a_hung_sink_does_not_hold_up_a_healthy_one(tmp_path, webhook, hanging):
    """The hung receiver accepts and never answers (30 s timeout); the healthy webhook gets
    all 20 alerts well inside that timeout."""
    service = AlertService(
        tmp_path,
        config({"stuck": {"type": "webhook", "url": hanging.url, "timeout_s": 30},
                "hook": {"type": "webhook", "url": webhook.url}}),
    )  # fmt: skip
    try:
        ids = raise_alerts(service, 20)
        eventually(lambda: len(webhook.requests) == 20, timeout=10)
        assert {r.json()["id"] for r in webhook.requests} == set(ids)
        assert hanging.accepted >= 1  # the stuck sink was being tried all along
    finally:
        service.close(timeout=0.5)


def test_deliveries_pending_at_shutdown_are_made_once_after_a_restart(tmp_path):
    port = free_port()
    receiver = WebhookReceiver(port=port)
    sinks = {"hook": {"type": "webhook", "url": receiver.url, "timeout_s": 2}}
    first = AlertService(tmp_path, config(sinks))
    try:
        ids = raise_alerts(first, 5)
        assert first.recorder.flush(5)
        # Every delivery has failed at least once: the receiver is down.
        eventually(lambda: all(r["attempts"] >= 1 for r in first.queue.rows()), timeout=10)
    finally:
        first.close()
    receiver.start()
    try:
        second = AlertService(tmp_path, config(sinks))
        try:
            eventually(lambda: len(receiver.requests) == 5, timeout=10)
            assert second.delivery.wait_idle(5)
            time.sleep(0.3)  # nothing is delivered twice
            assert sorted(r.json()["id"] for r in receiver.requests) == sorted(ids)
            for row in second.queue.rows():
                assert row["state"] == "delivered"
                attempts = second.queue.attempts(row["id"])
                assert attempts[-1].state is DeliveryState.DELIVERED
                assert {a.state for a in attempts[:-1]} == {DeliveryState.RETRYING}
                assert attempts[0].error_class == "ConnectError"
            views = second.store.alerts()
            assert {d["state"] for v in views for d in v.deliveries} == {"delivered"}
        finally:
            second.close()
    finally:
        receiver.stop()


class DiskFullOnce:
    """A store whose writes fail as SQLite does on a full disk while `full` is set."""

    def __init__(self, store: SqliteAlertStore) -> None:
        self.store = store
        self.full = True
        self.failed_writes = 0

    def record_alerts(self, alerts) -> None:
        if self.full:
            self.failed_writes += 1
            raise sqlite3.OperationalError("database or disk is full")
        self.store.record_alerts(alerts)

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def test_a_full_disk_delays_alert_records_and_writes_them_once_space_is_back(
    tmp_path, webhook, caplog
):
    service = AlertService(tmp_path, config({"hook": {"type": "webhook", "url": webhook.url}}))
    disk = DiskFullOnce(service.store)
    service.recorder.store = disk  # the seam: the recorder's store
    try:
        ids = raise_alerts(service, 3)
        for _ in range(2):  # repeats while the disk is full: counts go up in memory
            service.raise_signals([secret_signal()], Subject(user="user0", app="openai"))
        eventually(lambda: disk.failed_writes >= 2, timeout=5)  # retried, not dropped
        assert service.recorder.held > 0 and service.store.alerts() == []
        assert "alert records held in memory" in str(service.problem())  # /healthz says so
        assert not service.recorder.flush(0.1)
        assert webhook.requests == []  # deliveries wait for their alert to be recorded
        disk.full = False
        assert service.recorder.flush(5)
        views = {v.id: v for v in service.store.alerts()}
        assert set(views) == set(ids)
        assert views[ids[0]].alert["count"] == 3
        assert service.problem() is None
        eventually(lambda: len(webhook.requests) == 3)
        messages = [r.getMessage() for r in caplog.records if r.name == "warden.alerts"]
        assert sum("cannot write alert records (disk full)" in m for m in messages) == 1
        assert any("written again" in m for m in messages)
    finally:
        service.close()
