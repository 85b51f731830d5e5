"""Delivers queued notices to sinks: each sink its own worker threads, so a hung or slow
receiver delays only its own deliveries.

The deliveries wait in the state store (warden/alerts/deliveries.py), not in memory: a
restart picks up where the last run stopped. A worker claims the next due delivery of its
sink (a lease, so a process that dies mid-attempt does not hold it for ever), calls the sink
(blocking I/O with the sink's own timeout), and records the attempt. A failed attempt is
tried again after backoff * 2^(attempt-1) (+-20% jitter, so many alerts do not retry in
lockstep), capped at max_backoff, until it succeeds or reaches max_age (or max_attempts,
when set); a permanent error (HTTP 4xx, bad credentials, a missing secret) stops at once.
Delivery is at least once: a process killed between the receiver's answer and the record
leaves the delivery to be sent again when its lease ends.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable

from warden.alerts.alert import DeliveryState
from warden.alerts.config import DeliverySettings
from warden.alerts.deliveries import Attempt, DeliveryQueue, PendingDelivery
from warden.alerts.sinks.base import DeliveryError, Notice, Sink

__all__ = ["SinkDispatcher", "error_class"]

log = logging.getLogger("warden.alerts")

IDLE_POLL_S = 2.0  # how often an idle worker looks for deliveries nobody woke it for
STORE_RETRY_S = 1.0  # after the state store could not be read or written
MIN_LEASE_S = 60.0


def error_class(error: BaseException) -> str:
    """What kind of failure, in a word: the cause's class (ConnectTimeout, SMTPDataError),
    or the HTTP status. Never the message of an unexpected error: it may quote anything."""
    cause = error.__cause__ or error.__context__
    if cause is not None:
        return type(cause).__name__
    text = str(error)
    if isinstance(error, DeliveryError) and "HTTP " in text:
        return "HTTP " + text.rsplit("HTTP ", 1)[1].split()[0]
    return type(error).__name__


class SinkDispatcher:
    def __init__(
        self,
        settings: DeliverySettings,
        queue: DeliveryQueue,
        sinks: dict[str, Sink],
        *,
        jitter: Callable[[], float] = lambda: random.uniform(0.8, 1.2),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.owner = uuid.uuid4().hex  # this process's claims
        self._jitter = jitter
        self._clock = clock
        self._sinks: dict[str, Sink] = {}
        self._workers: dict[str, list[_SinkWorker]] = {}
        self._lock = threading.Lock()
        self._stopping = False
        self.set_sinks(sinks)

    def configure(self, settings: DeliverySettings) -> None:
        # Backoff and max age apply from the next attempt on; worker counts to new sinks.
        self.settings = settings

    def set_sinks(self, sinks: dict[str, Sink]) -> None:
        """Start workers for new sinks, stop those of removed ones. Deliveries for a sink
        that is no longer configured stay queued until it returns or they expire."""
        with self._lock:
            if self._stopping:
                return
            self._sinks = dict(sinks)
            for name in list(self._workers):
                if name not in sinks:
                    for worker in self._workers.pop(name):
                        worker.stop()
            for name in sinks:
                if name not in self._workers:
                    self._workers[name] = [
                        _SinkWorker(self, name, i) for i in range(self.settings.workers)
                    ]
                    for worker in self._workers[name]:
                        worker.start()

    def sink(self, name: str) -> Sink | None:
        return self._sinks.get(name)

    def wake(self, sinks: set[str] | None = None) -> None:
        """New deliveries are in the store: look now rather than at the next poll."""
        with self._lock:
            for name, workers in self._workers.items():
                if sinks is None or name in sinks:
                    for worker in workers:
                        worker.wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """True once no delivery to a configured sink is pending or retrying."""
        deadline = time.monotonic() + timeout
        while True:
            if self.queue.unfinished(list(self._sinks)) == 0:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the workers; deliveries not yet made stay in the store for the next start.
        A worker stuck in a hung receiver is left to its timeout (a daemon thread)."""
        with self._lock:
            self._stopping = True
            workers = [w for ws in self._workers.values() for w in ws]
            self._workers.clear()
        for worker in workers:
            worker.stop()
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        try:
            self.queue.release(self.owner)
        except (sqlite3.Error, OSError) as e:
            log.error("could not release alert deliveries at shutdown: %s", e)
        waiting = self._unfinished_quietly()
        if waiting:
            log.info("%d alert deliveries wait in the state store for the next start", waiting)

    def _unfinished_quietly(self) -> int:
        try:
            return self.queue.unfinished()
        except (sqlite3.Error, OSError):
            return 0

    # ---- one attempt ----------------------------------------------------------------------

    def attempt(self, sink: Sink, job: PendingDelivery) -> None:
        attempts = job.attempts + 1
        try:
            sink.send(Notice(job.kind, job.notice))
        except DeliveryError as e:
            self._failed(job, attempts, error_class(e), str(e), e.permanent)
        except Exception as e:  # a bug in a sink must not kill the worker or lose the alert
            log.error("alert sink %s failed unexpectedly: %s", sink.name, type(e).__name__)
            self._failed(job, attempts, type(e).__name__, None, False)
        else:
            self._record(job, Attempt(self._clock(), DeliveryState.DELIVERED))

    def _failed(
        self, job: PendingDelivery, attempts: int, kind: str, error: str | None, permanent: bool
    ) -> None:
        settings, now = self.settings, self._clock()
        delay = min(settings.backoff_s * 2 ** (attempts - 1), settings.max_backoff_s)
        next_at = now + delay * self._jitter()
        expires_at = job.expires_at if job.expires_at is not None else float("inf")
        gave_up = permanent or (
            settings.max_attempts is not None and attempts >= settings.max_attempts
        )
        if gave_up or next_at >= expires_at:
            state = DeliveryState.FAILED if gave_up else DeliveryState.EXPIRED
            log.error(
                "alert %s to %s %s after %d attempt(s): %s",
                job.alert_id,
                job.sink,
                state.value,
                attempts,
                error or kind,
            )
            self._record(job, Attempt(now, state, kind, error))
            return
        log.warning(
            "alert to %s failed (attempt %d), retrying in %.1f s: %s",
            job.sink,
            attempts,
            next_at - now,
            error or kind,
        )
        self._record(job, Attempt(now, DeliveryState.RETRYING, kind, error, next_at))

    def _record(self, job: PendingDelivery, attempt: Attempt) -> None:
        for _ in range(3):
            try:
                self.queue.record_attempt(job.id, self.owner, attempt)
                return
            except (sqlite3.Error, OSError) as e:
                log.error("could not record an alert delivery attempt: %s", e)
                time.sleep(STORE_RETRY_S)
        # The claim runs out and the delivery is tried again: at least once, never lost.

    def lease_s(self, sink: Sink) -> float:
        timeout = getattr(getattr(sink, "config", None), "timeout_s", 30.0)
        return max(MIN_LEASE_S, 2 * float(timeout))


class _SinkWorker(threading.Thread):
    """Claims and sends one sink's deliveries, one at a time."""

    def __init__(self, dispatcher: SinkDispatcher, sink_name: str, number: int) -> None:
        super().__init__(name=f"warden-alert-{sink_name}-{number}", daemon=True)
        self.dispatcher = dispatcher
        self.sink_name = sink_name
        self.wake = threading.Event()
        self._stop_event = threading.Event()
        self._store_failing = False  # said once per outage, not once a second

    def stop(self) -> None:
        self._stop_event.set()
        self.wake.set()

    def run(self) -> None:
        d = self.dispatcher
        while not self._stop_event.is_set():
            sink = d.sink(self.sink_name)
            if sink is None:
                return
            try:
                job = d.queue.claim(self.sink_name, d.owner, time.time(), d.lease_s(sink))
            except (sqlite3.Error, OSError) as e:
                if not self._store_failing:
                    log.error("alert delivery to %s waits for the state store: %s", sink.name, e)
                    self._store_failing = True
                self._stop_event.wait(STORE_RETRY_S)
                continue
            if self._store_failing:
                log.warning("alert delivery to %s resumed", sink.name)
                self._store_failing = False
            if job is not None:
                d.attempt(sink, job)
                continue
            self.wake.wait(self._idle_wait())
            self.wake.clear()

    def _idle_wait(self) -> float:
        try:
            due = self.dispatcher.queue.next_due_at(self.sink_name)
        except (sqlite3.Error, OSError):
            return STORE_RETRY_S
        if due is None:
            return IDLE_POLL_S
        return min(max(0.0, due - time.time()), IDLE_POLL_S)
