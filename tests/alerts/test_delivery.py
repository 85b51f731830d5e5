"""The delivery queue: off the caller's thread, retries with backoff, status recorded."""

from __future__ import annotations

import threading
import time

from tests.alerts.factories import secret_alert
from warden.alerts.alert import DeliveryState, DeliveryStatus
from warden.alerts.config import DeliverySettings
from warden.alerts.delivery import DeliveryQueue
from warden.alerts.sinks import DeliveryError, Notice


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


def queue(statuses: list[DeliveryStatus], **settings) -> DeliveryQueue:
    defaults = {"backoff": "50ms", "max_backoff": "1s", "max_attempts": 5}
    return DeliveryQueue(
        DeliverySettings.model_validate({**defaults, **settings}),
        statuses.append,
        jitter=lambda: 1.0,
    )


def notice() -> Notice:
    return Notice("alert", secret_alert().to_dict())


def test_retries_with_doubling_backoff_until_delivered():
    statuses: list[DeliveryStatus] = []
    q = queue(statuses)
    sink = FlakySink(failures=3)
    q.submit(sink, notice())
    assert q.wait_idle(5)
    q.close()
    gaps = [b - a for a, b in zip(sink.calls, sink.calls[1:], strict=False)]
    assert len(sink.calls) == 4
    assert gaps[0] >= 0.045 and gaps[1] >= 0.095 and gaps[2] >= 0.19  # 50, 100, 200 ms
    states = [s.state for s in statuses]
    assert states == [DeliveryState.RETRYING] * 3 + [DeliveryState.DELIVERED]
    assert statuses[-1].attempts == 4 and statuses[-1].delivered_at is not None
    assert statuses[0].last_error == "receiver down" and statuses[0].next_attempt_at


def test_gives_up_after_max_attempts():
    statuses: list[DeliveryStatus] = []
    q = queue(statuses, max_attempts=3)
    q.submit(sink := FlakySink(failures=99), notice())
    assert q.wait_idle(5)
    q.close()
    assert len(sink.calls) == 3
    assert statuses[-1].state is DeliveryState.FAILED and statuses[-1].attempts == 3


def test_a_permanent_error_is_not_retried():
    statuses: list[DeliveryStatus] = []
    q = queue(statuses)
    q.submit(sink := FlakySink(failures=99, permanent=True), notice())
    assert q.wait_idle(5)
    q.close()
    assert len(sink.calls) == 1 and statuses[-1].state is DeliveryState.FAILED


def test_submit_returns_at_once_even_when_the_sink_is_slow():
    statuses: list[DeliveryStatus] = []
    q = queue(statuses, workers=2)
    sink = FlakySink(failures=0, delay=0.05)
    start = time.perf_counter()
    for _ in range(20):
        q.submit(sink, notice())
    assert time.perf_counter() - start < 0.05
    assert threading.current_thread() is threading.main_thread()
    assert q.wait_idle(10)
    q.close()
    assert len(sink.calls) == 20


def test_a_full_queue_drops_and_says_so():
    statuses: list[DeliveryStatus] = []
    q = queue(statuses, max_pending=2, workers=1)
    sink = FlakySink(failures=0, delay=0.2)
    for _ in range(5):
        q.submit(sink, notice())
    assert q.wait_idle(5)
    q.close()
    assert any(s.last_error == "delivery queue full" for s in statuses)
