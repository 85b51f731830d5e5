"""Writes alert records to the store from a thread of its own, so the proxy's event loop
never waits for a disk. Snapshots of one alert that pile up between two writes (fifty
repeats in a second) are written once, at their highest revision."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from warden.alerts.alert import Alert, DeliveryStatus, StateChange
from warden.alerts.store import JsonlAlertStore

__all__ = ["Recorder"]

log = logging.getLogger("warden.alerts")

_STOP = object()


class Recorder:
    def __init__(self, store: JsonlAlertStore) -> None:
        self.store = store
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="warden-alert-store", daemon=True)
        self._thread.start()

    def alert(self, alert: Alert) -> None:
        self._put(("alerts", alert))

    def delivery(self, status: DeliveryStatus) -> None:
        self._put(("deliveries", status))

    def state(self, change: StateChange) -> None:
        self._put(("states", change))

    def call(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the recorder thread (file writes that are not records)."""
        self._put(("call", fn))

    def flush(self, timeout: float = 5.0) -> bool:
        return self._idle.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _put(self, item: tuple[str, Any]) -> None:
        self._idle.clear()
        self._queue.put(item)

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while True:  # take everything already waiting: one write per kind per batch
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(item is _STOP for item in items)
            try:
                self._write([item for item in items if item is not _STOP])
            except Exception:
                log.exception("could not write alert records to %s", self.store.directory)
            if self._queue.empty():
                self._idle.set()
            if stop:
                return

    def _write(self, items: list[tuple[str, Any]]) -> None:
        latest: dict[str, Alert] = {}
        rest: dict[str, list[dict[str, Any]]] = {"deliveries": [], "states": []}
        calls = []
        for kind, value in items:
            if kind == "alerts":
                if value.id not in latest or value.rev >= latest[value.id].rev:
                    latest[value.id] = value
            elif kind == "call":
                calls.append(value)
            else:
                rest[kind].append(value.to_dict())
        # Alerts first: a delivery record never names an alert the files do not hold yet.
        for alert in latest.values():
            self.store.record_alert(alert)
        for kind, records in rest.items():
            self.store.append_many(kind, records)
        for fn in calls:
            fn()
