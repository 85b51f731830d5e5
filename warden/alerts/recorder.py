"""Writes alert records to the state store from a thread of its own, so the proxy's event
loop never waits for a disk. Snapshots of one alert that pile up between two writes (fifty
repeats in a second) are written once, at their highest revision.

When the store cannot be written (a full disk: SQLITE_FULL or ENOSPC, or a lock held past
the busy timeout), the records stay in memory and the write is tried again every second:
a full disk delays alert records, it does not drop them. Memory is bounded (MAX_HELD
records); only past that are the oldest dropped, counted and logged. One message when
writing stops, one when it resumes.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from warden.alerts.alert import Alert, StateChange
from warden.alerts.deliveries import DeliveryQueue, NewDelivery
from warden.alerts.store import AlertStore
from warden.state.db import is_disk_full

__all__ = ["MAX_HELD", "Recorder"]

log = logging.getLogger("warden.alerts")

MAX_HELD = 50_000  # records kept in memory while the store cannot be written
RETRY_S = 1.0

_STOP = object()


@dataclass
class _Held:
    """Records not written yet, in the order they must be written."""

    alerts: dict[str, Alert] = field(default_factory=dict)  # latest revision per id
    states: list[StateChange] = field(default_factory=list)
    deliveries: list[NewDelivery] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.alerts) + len(self.states) + len(self.deliveries)

    def add(self, kind: str, value: Any) -> None:
        if kind == "alerts":
            known = self.alerts.get(value.id)
            if known is None or value.rev >= known.rev:
                self.alerts[value.id] = value
        elif kind == "states":
            self.states.append(value)
        else:
            self.deliveries.append(value)

    def trim(self, limit: int) -> int:
        """Drop the oldest records beyond `limit`; how many went."""
        dropped = 0
        while len(self) > limit:
            if self.deliveries:
                self.deliveries.pop(0)
            elif self.states:
                self.states.pop(0)
            else:
                self.alerts.pop(next(iter(self.alerts)))
            dropped += 1
        return dropped


class Recorder:
    def __init__(
        self,
        store: AlertStore,
        deliveries: DeliveryQueue,
        max_pending: Callable[[], int],
        on_queued: Callable[[set[str]], None] = lambda sinks: None,
        on_refused: Callable[[NewDelivery], None] = lambda d: None,
        max_held: int = MAX_HELD,
    ) -> None:
        self.store = store
        self.deliveries = deliveries
        self._max_pending = max_pending
        self._on_queued = on_queued
        self._on_refused = on_refused
        self._max_held = max_held
        self._held = _Held()
        self._failing: str | None = None  # why writing stopped, while it is stopped
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="warden-alert-store", daemon=True)
        self._thread.start()

    @property
    def held(self) -> int:
        """Records waiting in memory for the store to be writable again."""
        return len(self._held)

    def alert(self, alert: Alert) -> None:
        self._put(("alerts", alert.snapshot()))

    def state(self, change: StateChange) -> None:
        self._put(("states", change))

    def delivery(self, delivery: NewDelivery) -> None:
        self._put(("deliveries", delivery))

    def call(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the recorder thread (store work that is not a record)."""
        self._put(("call", fn))

    def flush(self, timeout: float = 5.0) -> bool:
        """True once everything handed in so far is written."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if len(self._held):
            log.error("%d alert records could not be written before shutdown", len(self._held))

    def _put(self, item: tuple[str, Any]) -> None:
        self._idle.clear()
        self._queue.put(item)

    def _run(self) -> None:
        stop = False
        while not stop:
            wait = RETRY_S if len(self._held) else None
            items = []
            with contextlib.suppress(queue.Empty):  # a timeout: time to retry what is held
                items.append(self._queue.get(timeout=wait))
            while True:  # take everything already waiting: one transaction per kind per batch
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(item is _STOP for item in items)
            calls = []
            for item in items:
                if item is _STOP:
                    continue
                kind, value = item
                if kind == "call":
                    calls.append(value)
                else:
                    self._held.add(kind, value)
            dropped = self._held.trim(self._max_held)
            if dropped:
                log.error("alert records dropped: %d beyond the %d held in memory", dropped,
                          self._max_held)  # fmt: skip
            self._write()
            for fn in calls:
                try:
                    fn()
                except Exception:
                    log.exception("alert store maintenance failed")
            if self._queue.empty() and not len(self._held):
                self._idle.set()

    def _write(self) -> None:
        held = self._held
        if not len(held):
            return
        try:
            # Alerts first: a state or delivery never names an alert the store does not hold.
            if held.alerts:
                self.store.record_alerts(list(held.alerts.values()))
                held.alerts.clear()
            while held.states:
                self.store.record_state(held.states[0])
                held.states.pop(0)
            if held.deliveries:
                refused = self.deliveries.enqueue(held.deliveries, self._max_pending())
                queued = {d.sink for d in held.deliveries}
                held.deliveries = []
                for delivery in refused:
                    self._on_refused(delivery)
                self._on_queued(queued)
        except (sqlite3.Error, OSError) as e:
            if not isinstance(e, sqlite3.OperationalError | OSError):
                log.error("alert records could not be written and were dropped: %s", e)
                self._held = _Held()
                return
            if self._failing is None:
                self._failing = "disk full" if is_disk_full(e) else str(e)
                log.error(
                    "cannot write alert records (%s); holding them in memory and retrying",
                    self._failing,
                )
            return
        if self._failing is not None:
            log.warning("alert records are written again (after: %s)", self._failing)
            self._failing = None
