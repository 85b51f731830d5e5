"""The alerting pipeline as the proxy runs it: signals in, alert ids out, everything slow
(disk, network) handed to threads.

    signals -> AlertEngine (rules, dedupe, throttle)  -> alert ids for the request's event
                 | new alert                           -> Recorder -> alert store (JSON lines)
                 `-> DeliveryQueue -> sinks (retries)  -> delivery status -> alert store
    tick() every second: windows that closed with repeats send their summary; 30 s after
    start and then daily, the proxy's alert files are compacted (store.py: latest snapshot of
    each alert, none of those last seen more than alerts.retention_days ago).
    forget_user() after a privacy purge: nothing about the user stays open in memory.

Methods are called from the event loop only; the engine and behaviour state are not shared
with any other thread.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from warden.alerts.alert import Alert, DeliveryState, DeliveryStatus
from warden.alerts.behaviour import BehaviourTracker, KnownApps
from warden.alerts.config import AlertsConfig
from warden.alerts.delivery import DeliveryQueue
from warden.alerts.engine import AlertEngine
from warden.alerts.recorder import Recorder
from warden.alerts.signal import Signal, Subject
from warden.alerts.sinks import Notice, Sink, build_sinks
from warden.alerts.store import JsonlAlertStore

__all__ = ["AlertService", "alerts_dir"]

log = logging.getLogger("warden.alerts")

COMPACT_FIRST_S = 30.0  # after start: not while the proxy is still warming up
COMPACT_EVERY_S = 86_400.0


def alerts_dir(data_dir: Path) -> Path:
    return data_dir / "alerts"


class AlertService:
    def __init__(
        self,
        data_dir: Path,
        config: AlertsConfig,
        clock: Callable[[], float] = time.time,
        sinks: dict[str, Sink] | None = None,
    ) -> None:
        directory = alerts_dir(data_dir)
        self.store = JsonlAlertStore(directory, writer="proxy")
        self._clock = clock
        self._next_compaction = clock() + COMPACT_FIRST_S
        self.recorder = Recorder(self.store)
        self.engine = AlertEngine(config, clock)
        self.behaviour = BehaviourTracker(
            config.behaviour, clock, KnownApps(directory / "known-apps.json", clock)
        )
        self.delivery = DeliveryQueue(config.delivery, self.recorder.delivery)
        self._fixed_sinks = sinks is not None  # tests hand in their own
        self.sinks = sinks if sinks is not None else build_sinks(config.sinks)
        self.config = config

    def configure(self, config: AlertsConfig) -> None:
        """Apply a reloaded policy's `alerts:` section; open alerts keep their windows."""
        if config is self.config or config == self.config:
            return
        if config.sinks != self.config.sinks and not self._fixed_sinks:
            self.sinks = build_sinks(config.sinks)
        self.engine.configure(config)
        self.behaviour.configure(config.behaviour)
        self.delivery.configure(config.delivery)
        self.config = config

    def raise_signals(self, signals: Iterable[Signal], subject: Subject) -> list[str]:
        """Turn signals into alerts; returns the ids to record on the request's event."""
        ids: list[str] = []
        for occurrence in self.engine.process(signals, subject):
            self.recorder.alert(occurrence.alert)
            if occurrence.new:
                self._deliver(occurrence.alert, "alert")
            if occurrence.alert.id not in ids:
                ids.append(occurrence.alert.id)
        return ids

    def tick(self) -> None:
        """Close throttle windows (sending summaries) and save what needs saving."""
        for alert, _rule in self.engine.expire():
            self._deliver(alert, "summary")
        if self.behaviour.known_apps.dirty:
            self.recorder.call(self.behaviour.known_apps.save)
        now = self._clock()
        if now >= self._next_compaction:
            self._next_compaction = now + COMPACT_EVERY_S
            cutoff = now - self.config.retention_days * 86_400
            # On the recorder's thread: the one that appends to these files.
            self.recorder.call(functools.partial(self._compact, cutoff))

    def _compact(self, cutoff: float) -> None:
        try:
            done = self.store.compact(cutoff)
        except OSError as e:
            log.error("could not compact the alert files in %s: %s", self.store.directory, e)
            return
        if done.lines_after != done.lines_before:
            log.info(
                "alert files compacted: %d alerts kept, %d past retention removed, %d -> %d lines",
                done.alerts_kept,
                done.alerts_removed,
                done.lines_before,
                done.lines_after,
            )

    def forget_user(self, user: str) -> None:
        """A privacy purge of `user` was carried out: drop their open alerts and behaviour
        state, then purge the alert files once more on the recorder's thread, after any
        snapshot of their alerts still queued there (the purge itself may have raced it)."""
        self.engine.forget_user(user)
        self.behaviour.forget_user(user)
        self.recorder.call(functools.partial(self._purge_files, user))

    def _purge_files(self, user: str) -> None:
        try:
            removed = self.store.purge_user(user)
        except OSError as e:
            log.error("could not purge the alerts of a user from %s: %s", self.store.directory, e)
            return
        if removed:
            log.info("purge: %d more alerts about the user removed from the alert files", removed)

    def close(self, timeout: float = 5.0) -> None:
        self.delivery.close(timeout)
        self.recorder.call(self.behaviour.known_apps.save)
        self.recorder.flush(timeout)
        self.recorder.close(timeout)

    def _deliver(self, alert: Alert, kind: str) -> None:
        document = alert.to_dict()
        for name in alert.sinks:
            sink = self.sinks.get(name)
            if sink is None:  # a reload removed it while the alert was open
                log.warning("alert %s: sink %s is no longer configured", alert.id, name)
                continue
            self.recorder.delivery(DeliveryStatus(alert.id, name, kind, DeliveryState.PENDING))
            self.delivery.submit(sink, Notice(kind, document))
