"""The sink dispatcher: off the caller's thread, one set of workers per sink, retries with
backoff until delivered, failed or expired, every attempt recorded in the state store."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.alerts.factories import FAKE_OPENAI_KEY, secret_alert
from warden.alerts.alert import DeliveryState
from warden.alerts.config import DeliverySettings
from warden.alerts.deliveries import NewDelivery
from warden.alerts.delivery import SinkDispatcher
from warden.alerts.sinks import DeliveryError, Notice
from warden.state.db import StateDB
from warden.state.deliveries import SqliteDeliveryQueue


class FlakySink:
    def __init__(self, failures: int, permanent: bool = False, delay: float = 0.0) -> None:
        self.name = "flaky"
        self.failures = failures
        self.permanent = permanent
        self.delay = delay
        self.calls: list[float] = []

    def send(self, notice: Notice) -> None:
        self.calls.append(time.monotonic())
        time.sleep(self.delay)
        if len(self.calls) <= self.failures:
            raise DeliveryError("receiver down", permanent=self.permanent)


@pytest.fixture
def queue(tmp_path):
    db = StateDB.for_data_dir(tmp_path)
    yield SqliteDeliveryQueue(db)
    db.close()


def dispatcher(queue, sink, **settings) -> SinkDispatcher:
    defaults = {"backoff": "50ms", "max_backoff": "1s", "workers": 1}
    return SinkDispatcher(
        DeliverySettings.model_validate({**defaults, **settings}),
        queue,
        {sink.name: sink},
        jitter=lambda: 1.0,
    )


def submit(queue, sink_name: str = "flaky", max_age_s: float = 60.0, count: int = 1) -> None:
    now = time.time()
    document = secret_alert().to_dict()
    queue.enqueue(
        [NewDelivery(document["id"], sink_name, "alert", document, now, now + max_age_s)] * count,
        max_pending=10_000,
    )


def test_retries_with_doubling_backoff_until_delivered_and_records_each_attempt(queue):
    sink = FlakySink(failures=3)
    d = dispatcher(queue, sink)
    submit(queue)
    d.wake()
    assert d.wait_idle(5)
    d.close()
    gaps = [b - a for a, b in zip(sink.calls, sink.calls[1:], strict=False)]
    assert len(sink.calls) == 4
    assert gaps[0] >= 0.045 and gaps[1] >= 0.095 and gaps[2] >= 0.19  # 50, 100, 200 ms
    [row] = queue.rows()
    assert row["state"] == "delivered" and row["attempts"] == 4 and row["delivered_at"]
    attempts = queue.attempts(row["id"])
    assert [a.state for a in attempts] == [DeliveryState.RETRYING] * 3 + [DeliveryState.DELIVERED]
    assert attempts[0].error == "receiver down" and attempts[0].error_class == "DeliveryError"
    assert attempts[-1].error is None and attempts[-1].error_class is None


def test_gives_up_after_max_attempts_when_set(queue):
    d = dispatcher(queue, sink := FlakySink(failures=99), max_attempts=3)
    submit(queue)
    d.wake()
    assert d.wait_idle(5)
    d.close()
    assert len(sink.calls) == 3
    [row] = queue.rows()
    assert row["state"] == "failed" and row["attempts"] == 3


def test_without_max_attempts_it_retries_until_the_delivery_expires(queue):
    d = dispatcher(queue, sink := FlakySink(failures=99), backoff="50ms", max_backoff="50ms")
    submit(queue, max_age_s=0.5)
    d.wake()
    assert d.wait_idle(5)
    d.close()
    [row] = queue.rows()
    assert row["state"] == "expired"
    assert 5 <= len(sink.calls) <= 11  # every 50 ms for half a second
    assert queue.attempts(row["id"])[-1].state is DeliveryState.EXPIRED


def test_a_permanent_error_is_not_retried(queue):
    d = dispatcher(queue, sink := FlakySink(failures=99, permanent=True))
    submit(queue)
    d.wake()
    assert d.wait_idle(5)
    d.close()
    assert len(sink.calls) == 1 and queue.rows()[0]["state"] == "failed"


def test_an_unexpected_sink_error_records_its_class_only(queue):
    class Broken:
        name = "broken"

        def send(self, notice: Notice) -> None:
            raise RuntimeError(f"bug while sending {notice.alert['evidence']} {FAKE_OPENAI_KEY}")

    d = dispatcher(queue, Broken(), max_attempts=1)
    submit(queue, "broken")
    d.wake()
    assert d.wait_idle(5)
    d.close()
    [attempt] = queue.attempts(queue.rows()[0]["id"])
    assert attempt.error_class == "RuntimeError" and attempt.error is None


def test_a_full_queue_refuses_and_records_it_as_failed(queue):
    now = time.time()
    document = secret_alert().to_dict()
    new = [NewDelivery(document["id"], "flaky", "alert", document, now, now + 60)] * 3
    refused = queue.enqueue(new, max_pending=2)
    assert len(refused) == 1
    assert [r["state"] for r in queue.rows()] == ["pending", "pending", "failed"]
    assert queue.rows()[-1]["last_error"] == "delivery queue full"


def test_each_delivery_is_claimed_by_one_worker_only(queue):
    sink = FlakySink(failures=0, delay=0.01)
    d = dispatcher(queue, sink, workers=4)
    submit(queue, count=30)
    d.wake()
    assert d.wait_idle(10)
    d.close()
    assert len(sink.calls) == 30
    assert {r["attempts"] for r in queue.rows()} == {1}


def test_a_delivery_past_its_max_age_at_start_is_expired_not_sent(queue):
    """A delivery that aged out while no proxy ran (a long outage) ends as expired."""
    now = time.time()
    document = secret_alert().to_dict()
    queue.enqueue(
        [NewDelivery(document["id"], "flaky", "alert", document, now - 90_000, now - 3_600)], 10
    )
    d = dispatcher(queue, sink := FlakySink(failures=0))
    d.wake()
    assert d.wait_idle(5)
    d.close()
    assert sink.calls == [] and queue.rows()[0]["state"] == "expired"


def test_workers_wait_out_a_store_that_cannot_be_written_and_say_so_once(queue, caplog):
    class FullDisk:
        """The queue, failing as SQLite does on a full disk while `full` is set."""

        def __init__(self) -> None:
            self.full = True

        def claim(self, *args):
            if self.full:
                raise sqlite3.OperationalError("database or disk is full")
            return queue.claim(*args)

        def __getattr__(self, name: str):
            return getattr(queue, name)

    disk = FullDisk()
    submit(queue)
    d = dispatcher(disk, sink := FlakySink(failures=0))
    d.wake()
    time.sleep(2.5)  # two retries at least
    assert sink.calls == []
    disk.full = False
    assert d.wait_idle(5)
    d.close()
    assert len(sink.calls) == 1
    said = [r.getMessage() for r in caplog.records if "waits for the state store" in r.getMessage()]
    assert len(said) == 1


def test_a_delivery_the_sweep_expires_ends_its_history_with_the_expiry(queue):
    """Expired while waiting for its next try (not during one): the last entry an analyst
    reads is the expiry, not the "retrying" before it."""
    submit(queue, max_age_s=0.01)
    time.sleep(0.05)
    assert queue.expire(time.time()) == 1
    [row] = queue.rows()
    assert row["state"] == "expired"
    assert queue.attempts(row["id"])[-1].state is DeliveryState.EXPIRED
