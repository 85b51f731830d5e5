"""Delivers notices to sinks off the proxy's event loop, retrying with exponential backoff.

submit() only puts a job on a heap and returns. A scheduler thread hands due jobs to a small
pool of worker threads, which call the sink (blocking I/O with the sink's own timeout). A
failed attempt is rescheduled after backoff * 2^(attempt-1) (with +-20% jitter so many
alerts do not retry in lockstep), capped at max_backoff, until max_attempts; a permanent
error (HTTP 4xx, bad credentials, missing secret) stops at once. Every outcome is reported
to `on_status` (the alert store), so each alert shows per sink: attempts, last error,
delivered at.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from warden.alerts.alert import DeliveryState, DeliveryStatus
from warden.alerts.config import DeliverySettings
from warden.alerts.sinks.base import DeliveryError, Notice, Sink

__all__ = ["DeliveryQueue"]

log = logging.getLogger("warden.alerts")

type StatusListener = Callable[[DeliveryStatus], None]


@dataclass(order=True)
class _Job:
    due: float  # monotonic time
    seq: int
    sink: Sink = field(compare=False)
    notice: Notice = field(compare=False)
    attempts: int = field(default=0, compare=False)


class DeliveryQueue:
    def __init__(
        self,
        settings: DeliverySettings,
        on_status: StatusListener,
        *,
        jitter: Callable[[], float] = lambda: random.uniform(0.8, 1.2),
    ) -> None:
        self.settings = settings
        self._on_status = on_status
        self._jitter = jitter
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._inflight = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._workers = settings.workers
        self._pool = ThreadPoolExecutor(settings.workers, thread_name_prefix="warden-alert-send")
        self._scheduler = threading.Thread(
            target=self._schedule, name="warden-alert-delivery", daemon=True
        )
        self._scheduler.start()

    def configure(self, settings: DeliverySettings) -> None:
        # Attempts and backoff apply from the next attempt on; the pool keeps its size.
        self.settings = settings

    def submit(self, sink: Sink, notice: Notice) -> None:
        """Queue a delivery; never blocks on I/O."""
        with self._cond:
            if self._stopping:
                return
            if len(self._heap) >= self.settings.max_pending:
                # Bounded memory beats delivering everything: say so, loudly.
                log.error("alert delivery queue full; dropping %s to %s", notice.kind, sink.name)
                self._report(_Job(0, 0, sink, notice), DeliveryState.FAILED, "delivery queue full")
                return
            heapq.heappush(self._heap, _Job(time.monotonic(), next(self._seq), sink, notice))
            self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._inflight

    def wait_idle(self, timeout: float) -> bool:
        """Until nothing is queued or being sent (tests, `warden alerts test`)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._inflight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Finish what is due within `timeout`; retries scheduled later are abandoned."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._inflight or (self._heap and self._heap[0].due <= time.monotonic()):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.1))
            self._stopping = True
            abandoned = len(self._heap)
            self._heap.clear()
            self._cond.notify_all()
        if abandoned:
            log.warning("%d alert deliveries were still waiting to retry at shutdown", abandoned)
        self._scheduler.join(timeout=1.0)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ---- threads --------------------------------------------------------------------------

    def _schedule(self) -> None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._heap and self._heap[0].due <= now and self._inflight < self._workers:
                    job = heapq.heappop(self._heap)
                    self._inflight += 1
                    self._pool.submit(self._attempt, job)
                    continue
                wait = None
                if self._heap and self._inflight < self._workers:
                    wait = max(0.0, self._heap[0].due - now)
                self._cond.wait(wait)

    def _attempt(self, job: _Job) -> None:
        job.attempts += 1
        try:
            job.sink.send(job.notice)
        except DeliveryError as e:
            self._failed(job, str(e), e.permanent)
        except Exception as e:  # a bug in a sink must not kill the worker or lose the alert
            log.exception("alert sink %s failed unexpectedly", job.sink.name)
            self._failed(job, f"{type(e).__name__}: {e}", False)
        else:
            self._report(job, DeliveryState.DELIVERED, None, delivered_at=time.time())
        finally:
            with self._cond:
                self._inflight -= 1
                self._cond.notify_all()

    def _failed(self, job: _Job, error: str, permanent: bool) -> None:
        if permanent or job.attempts >= self.settings.max_attempts:
            log.error(
                "alert %s to %s failed after %d attempt(s): %s",
                job.notice.alert.get("id"),
                job.sink.name,
                job.attempts,
                error,
            )
            self._report(job, DeliveryState.FAILED, error)
            return
        delay = (
            min(self.settings.backoff_s * 2 ** (job.attempts - 1), self.settings.max_backoff_s)
            * self._jitter()
        )
        log.warning(
            "alert to %s failed (attempt %d), retrying in %.1f s: %s",
            job.sink.name,
            job.attempts,
            delay,
            error,
        )
        self._report(job, DeliveryState.RETRYING, error, next_attempt_at=time.time() + delay)
        with self._cond:
            job.due = time.monotonic() + delay
            heapq.heappush(self._heap, job)
            self._cond.notify_all()

    def _report(
        self,
        job: _Job,
        state: DeliveryState,
        error: str | None,
        *,
        delivered_at: float | None = None,
        next_attempt_at: float | None = None,
    ) -> None:
        status = DeliveryStatus(
            str(job.notice.alert.get("id")),
            job.sink.name,
            job.notice.kind,
            state,
            job.attempts,
            error,
            delivered_at,
            next_attempt_at,
        )
        try:
            self._on_status(status)
        except Exception:
            log.exception("could not record the delivery status of an alert")
