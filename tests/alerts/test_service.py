"""The pipeline the proxy runs, against real receivers: one delivery per throttle window,
counts in the store, summaries when a window closes, retries until a late receiver is up."""

from __future__ import annotations

import threading
import time

from tests.alerts.factories import FAKE_OPENAI_KEY, secret_signal
from tests.alerts.receivers import WebhookReceiver
from tests.alerts.test_engine import Clock
from tests.support import free_port
from tests.support.eventually import eventually
from warden.alerts.config import AlertsConfig
from warden.alerts.service import AlertService
from warden.alerts.signal import Subject

ALICE = Subject(user="alice", app="openai", app_name="OpenAI API", event_id="e1")


def config(url: str, syslog_port: int | None = None, **delivery) -> AlertsConfig:
    sinks = {"hook": {"type": "webhook", "url": url}}
    if syslog_port:
        sinks["siem"] = {"type": "syslog", "host": "127.0.0.1", "port": syslog_port}
    return AlertsConfig.model_validate(
        {
            "sinks": sinks,
            "rules": [
                {"id": "leaked-secret", "when": {"detectors": ["secret"]}, "sinks": list(sinks),
                 "throttle": "10m"}
            ],
            "delivery": {"backoff": "100ms", "max_backoff": "400ms", **delivery},
        }
    )  # fmt: skip


def test_fifty_repeats_deliver_once_and_store_a_count_of_fifty(tmp_path, webhook, syslog_udp):
    service = AlertService(tmp_path, config(webhook.url, syslog_udp.port))
    try:
        ids = {tuple(service.raise_signals([secret_signal()], ALICE)) for _ in range(50)}
        assert len(ids) == 1
        eventually(lambda: len(webhook.requests) == 1 and len(syslog_udp.messages) == 1)
        assert service.delivery.wait_idle(5) and service.recorder.flush(5)
        time.sleep(0.2)  # nothing more arrives
        assert len(webhook.requests) == 1 and len(syslog_udp.messages) == 1
        [view] = service.store.alerts()
        assert view.alert["count"] == 50
        assert {d["sink"]: d["state"] for d in view.deliveries} == {
            "hook": "delivered",
            "siem": "delivered",
        }
        files = b"".join(p.read_bytes() for p in tmp_path.glob("state.sqlite3*"))
        assert files and FAKE_OPENAI_KEY.encode() not in files
    finally:
        service.close()


def test_a_summary_with_the_count_follows_when_the_window_closes(tmp_path, webhook):
    clock = Clock()
    service = AlertService(tmp_path, config(webhook.url), clock=clock)
    try:
        for _ in range(7):
            service.raise_signals([secret_signal()], ALICE)
        clock.now += 601
        service.tick()
        eventually(lambda: len(webhook.requests) == 2)
        # Two delivery workers: the two posts may arrive in either order.
        by_kind = {r.json()["kind"]: r.json() for r in webhook.requests}
        first, summary = by_kind["alert"], by_kind["summary"]
        assert first["count"] == 1
        assert summary["kind"] == "summary" and summary["count"] == 7
        assert summary["id"] == first["id"]
    finally:
        service.close()


def test_delivery_succeeds_after_the_receiver_comes_up_late(tmp_path):
    port = free_port()
    receiver = WebhookReceiver(port=port)
    service = AlertService(tmp_path, config(receiver.url))
    try:
        start = time.monotonic()
        [alert_id] = service.raise_signals([secret_signal()], ALICE)
        # Let at least two attempts fail before the receiver exists.
        eventually(
            lambda: (
                service.recorder.flush(1)
                and any(d["attempts"] >= 2 for v in service.store.alerts() for d in v.deliveries)
            )
        )
        receiver.start()
        eventually(lambda: len(receiver.requests) == 1, timeout=5)
        assert receiver.requests[0].json()["id"] == alert_id
        assert service.delivery.wait_idle(5) and service.recorder.flush(5)
        [delivery] = service.store.get(alert_id).deliveries
        assert delivery["state"] == "delivered" and delivery["attempts"] >= 3
        assert delivery["delivered_at"] > start
    finally:
        receiver.stop()
        service.close()


def test_raising_alerts_never_waits_for_a_slow_receiver(tmp_path):
    """The event loop's call returns at once even while the receiver hangs."""
    gate = threading.Event()

    class SlowSink:
        name = "hook"

        def send(self, notice) -> None:
            gate.wait(5)

    service = AlertService(tmp_path, config("http://127.0.0.1:9/"), sinks={"hook": SlowSink()})
    try:
        start = time.perf_counter()
        raising = [service.submit([secret_signal()], Subject(user=f"user{i}")) for i in range(20)]
        assert time.perf_counter() - start < 0.1
        assert len({f.result(5)[0] for f in raising}) == 20  # decided meanwhile, off the loop
    finally:
        gate.set()
        service.close()


def test_alerts_past_retention_are_removed_after_start_and_then_daily(tmp_path):
    clock = Clock()
    service = AlertService(tmp_path, AlertsConfig(retention_days=1), clock=clock)
    try:
        for _ in range(20):
            service.raise_signals([secret_signal()], ALICE)
        assert service.recorder.flush()
        [view] = service.store.alerts()
        assert view.alert["count"] == 20
        clock.now += 31  # the first run, 30 s after start: the alert is recent
        service.tick()
        assert service.recorder.flush() and len(service.store.alerts()) == 1
        clock.now += 2 * 86_400  # the next daily run: the alert is past its 1-day retention
        service.tick()
        assert service.recorder.flush() and service.store.alerts() == []
    finally:
        service.close()


def test_after_a_purge_nothing_about_the_user_is_written_back(tmp_path, webhook):
    service = AlertService(tmp_path, config(webhook.url))
    bob = Subject(user="bob", app="openai", app_name="OpenAI API", event_id="e2")
    try:
        [first] = service.raise_signals([secret_signal()], ALICE)
        service.raise_signals([secret_signal()], bob)
        assert service.recorder.flush(5)
        assert service.store.purge_user("alice") == 1  # what `warden logs purge` does first
        # A repeat that reaches the recorder before the proxy hears of the purge...
        service.raise_signals([secret_signal()], ALICE)
        service.forget_user("alice")
        assert service.flush(5)
        # ...is purged again, and the next repeat starts a new alert.
        assert [v.alert["user"] for v in service.store.alerts()] == ["bob"]
        [again] = service.raise_signals([secret_signal()], ALICE)
        assert again != first
        assert service.recorder.flush(5)
        counts = {v.alert["user"]: v.alert["count"] for v in service.store.alerts()}
        assert counts == {"alice": 1, "bob": 1}
    finally:
        service.close()


def test_a_delivery_waiting_too_long_is_a_problem_for_healthz(tmp_path):
    clock = Clock()
    nobody = f"http://127.0.0.1:{free_port()}/"  # no receiver: every attempt fails
    service = AlertService(tmp_path, config(nobody), clock=clock)
    try:
        service.raise_signals([secret_signal()], ALICE)
        service.tick()
        assert service.recorder.flush(5)
        assert service.backlog.waiting == 1 and service.problem() is None  # under 5 min
        time.sleep(1.1)
        clock.now += 5  # the next measurement is due
        service.tick()
        assert service.recorder.flush(5)
        assert service.problem(stale_after_s=1.0) == (
            "1 alert deliveries waiting, the oldest for 1 s"
        )
    finally:
        service.close()
