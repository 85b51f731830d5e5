"""The alerting pipeline as the proxy runs it: signals in, alert ids out, everything slow
(disk, network) handed to threads.

    signals -> submit() -> windows thread: AlertEngine (rules, dedupe, throttle) -> alert ids
                 | the alert as it stands (count)      -> Recorder -> state store (SQLite)
                 `-> a delivery per sink, when new     -> Recorder -> state store queue
                                                           -> SinkDispatcher: one set of
                                                              workers per sink -> receivers
    tick() every second: windows that closed with repeats send their summary; 30 s after
    start and then daily, alerts last seen more than alerts.retention_days ago are removed;
    every minute, deliveries past delivery.max_age are marked expired; every 5 s the
    delivery backlog is measured for /healthz (`problem()`).
    forget_user() after a privacy purge: nothing about the user stays open.

The throttle windows are shared with every other Warden process using the same state
database (or, given `windows`, the same Redis): a key repeated in two processes is one
alert, delivered once, whose count holds both. Reaching that store may wait (a lock another
process holds, the network), so the engine runs on a thread of its own, one call after the
other; the event loop only submits signals and, later, awaits the ids for its audit event.
Behaviour baselines (behaviour.py) stay per process and on the event loop.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from warden.alerts.alert import Alert
from warden.alerts.behaviour import BehaviourTracker, KnownApps
from warden.alerts.config import AlertsConfig
from warden.alerts.deliveries import NewDelivery
from warden.alerts.delivery import SinkDispatcher
from warden.alerts.engine import AlertEngine
from warden.alerts.recorder import Recorder
from warden.alerts.signal import Signal, Subject
from warden.alerts.sinks import Sink, build_sinks
from warden.alerts.windows import AlertWindows, FallbackWindows
from warden.state import open_state
from warden.state.alert_windows import SqliteAlertWindows
from warden.state.alerts import SqliteAlertStore
from warden.state.deliveries import SqliteDeliveryQueue

__all__ = ["AlertService", "alerts_dir"]

log = logging.getLogger("warden.alerts")

RETENTION_FIRST_S = 30.0  # after start: not while the proxy is still warming up
RETENTION_EVERY_S = 86_400.0
EXPIRE_EVERY_S = 60.0
BACKLOG_EVERY_S = 5.0
# A delivery this old is more than a slow receiver: someone should look (/healthz degraded).
STALE_DELIVERY_S = 300.0


@dataclass(frozen=True)
class DeliveryBacklog:
    waiting: int = 0  # deliveries pending or retrying
    oldest_s: float | None = None  # how long the oldest of them has waited


def alerts_dir(data_dir: Path) -> Path:
    """Files the alerting keeps beside the state store (known apps; pre-upgrade files)."""
    return data_dir / "alerts"


class AlertService:
    def __init__(
        self,
        data_dir: Path,
        config: AlertsConfig,
        clock: Callable[[], float] = time.time,
        sinks: dict[str, Sink] | None = None,
        windows: AlertWindows | None = None,
        windows_name: str = "state database",
    ) -> None:
        """`windows`: a shared store of throttle windows other than the state database
        (Redis); `windows_name` says which in the log (never with a password)."""
        directory = alerts_dir(data_dir)
        self.db = open_state(data_dir)
        self.store = SqliteAlertStore(self.db)
        self.queue = SqliteDeliveryQueue(self.db)
        self._clock = clock
        self._next_retention = clock() + RETENTION_FIRST_S
        self._next_expiry = clock()
        self._next_backlog = clock()
        self.backlog = DeliveryBacklog()  # measured on the recorder's thread, read anywhere
        shared = windows if windows is not None else SqliteAlertWindows(self.db)
        self.windows = FallbackWindows(shared, windows_name)
        self.engine = AlertEngine(config, clock, windows=self.windows)
        # The engine and its windows are touched from this one thread only.
        self._engine_thread = ThreadPoolExecutor(1, thread_name_prefix="warden-alert-windows")
        self._expiring: Future[None] | None = None
        self.behaviour = BehaviourTracker(
            config.behaviour, clock, KnownApps(directory / "known-apps.json", clock)
        )
        self.config = config
        self._fixed_sinks = sinks is not None  # tests hand in their own
        self.sinks = sinks if sinks is not None else build_sinks(config.sinks)
        # Deliveries left by the last run are picked up as soon as the workers start.
        self.delivery = SinkDispatcher(config.delivery, self.queue, self.sinks)
        self.recorder = Recorder(
            self.store,
            self.queue,
            lambda: self.config.delivery.max_pending,
            on_queued=self.delivery.wake,
            on_refused=_say_refused,
        )

    def configure(self, config: AlertsConfig) -> None:
        """Apply a reloaded policy's `alerts:` section; open alerts keep their windows."""
        if config is self.config or config == self.config:
            return
        if config.sinks != self.config.sinks and not self._fixed_sinks:
            self.sinks = build_sinks(config.sinks)
            self.delivery.set_sinks(self.sinks)
        self.engine.configure(config)
        self.behaviour.configure(config.behaviour)
        self.delivery.configure(config.delivery)
        self.config = config

    def submit(self, signals: Iterable[Signal], subject: Subject) -> Future[list[str]]:
        """Turn signals into alerts on the engine's thread; the future holds the ids to
        record on the request's event. Never waits (the event loop calls it)."""
        return self._engine_thread.submit(self._raise, list(signals), subject)

    def raise_signals(self, signals: Iterable[Signal], subject: Subject) -> list[str]:
        """submit() and wait for the ids: for callers off the event loop (CLI, tests)."""
        return self.submit(signals, subject).result()

    def flush(self, timeout: float = 5.0) -> bool:
        """True once every signal and purge submitted so far is decided and written."""
        try:
            self._engine_thread.submit(lambda: None).result(timeout)
        except TimeoutError:
            return False
        return self.recorder.flush(timeout)

    def _raise(self, signals: list[Signal], subject: Subject) -> list[str]:
        ids: list[str] = []
        for occurrence in self.engine.process(signals, subject):
            if occurrence.ended is not None:
                self._deliver(occurrence.ended, "summary")
            self.recorder.alert(occurrence.alert)
            if occurrence.new:
                self._deliver(occurrence.alert, "alert")
            if occurrence.alert.id not in ids:
                ids.append(occurrence.alert.id)
        return ids

    def tick(self) -> None:
        """Close throttle windows (sending summaries) and do what is due in the store."""
        if self._expiring is None or self._expiring.done():  # a slow store: no pile-up
            self._expiring = self._engine_thread.submit(self._close_windows)
        if self.behaviour.known_apps.dirty:
            self.recorder.call(self.behaviour.known_apps.save)
        now = self._clock()
        if now >= self._next_retention:
            self._next_retention = now + RETENTION_EVERY_S
            cutoff = now - self.config.retention_days * 86_400
            self.recorder.call(functools.partial(self._apply_retention, cutoff))
        if now >= self._next_expiry:
            self._next_expiry = now + EXPIRE_EVERY_S
            self.recorder.call(functools.partial(self._expire_deliveries, now))
        if now >= self._next_backlog:
            self._next_backlog = now + BACKLOG_EVERY_S
            self.recorder.call(self._measure_backlog)

    def _close_windows(self) -> None:
        try:
            for alert, _rule in self.engine.expire():
                self._deliver(alert, "summary")
        except Exception:
            log.exception("closing alert windows failed")

    def _measure_backlog(self) -> None:
        # Wall-clock time, the clock deliveries are stamped and retried with.
        oldest = self.queue.oldest_unfinished()
        waited = None if oldest is None else max(time.time() - oldest, 0.0)
        self.backlog = DeliveryBacklog(self.queue.unfinished(), waited)

    def problem(self, stale_after_s: float = STALE_DELIVERY_S) -> str | None:
        """What keeps alerts from reaching the security team right now, or None."""
        if held := self.recorder.held:
            return f"{held} alert records held in memory: the alert store cannot be written"
        backlog = self.backlog
        if backlog.oldest_s is not None and backlog.oldest_s > stale_after_s:
            waited = backlog.oldest_s
            age = f"{int(waited)} s" if waited < 120 else f"{int(waited // 60)} min"
            return f"{backlog.waiting} alert deliveries waiting, the oldest for {age}"
        return None

    def _apply_retention(self, cutoff: float) -> None:
        removed = self.store.remove_before(cutoff)
        if removed:
            log.info("alert retention: %d alerts past retention removed", removed)

    def _expire_deliveries(self, now: float) -> None:
        expired = self.queue.expire(now)
        if expired:
            log.error(
                "%d alert deliveries expired undelivered after %s",
                expired,
                self.config.delivery.max_age,
            )

    def forget_user(self, user: str) -> None:
        """A privacy purge of `user` was carried out: close their open windows (in the shared
        store too) and drop their behaviour state, then purge the store once more on the
        recorder's thread, after any snapshot of their alerts still queued there (the purge
        itself may have raced it). Other processes' snapshots on their way are kept out by
        the purged alerts' ids (warden/state/alerts.py)."""
        self.behaviour.forget_user(user)
        self._engine_thread.submit(self._forget, user)

    def _forget(self, user: str) -> None:
        try:
            self.engine.forget_user(user)
        finally:
            self.recorder.call(functools.partial(self._purge, user))

    def _purge(self, user: str) -> None:
        removed = self.store.purge_user(user)
        if removed:
            log.info("purge: %d more alerts about the user removed from the state store", removed)

    def close(self, timeout: float = 5.0) -> None:
        self._engine_thread.shutdown(wait=True)  # what was submitted is decided and recorded
        self.delivery.close(timeout)
        self.recorder.call(self.behaviour.known_apps.save)
        self.recorder.flush(timeout)
        self.recorder.close(timeout)
        self.db.close()

    def _deliver(self, alert: Alert, kind: str) -> None:
        document = alert.to_dict()
        now = time.time()
        expires_at = now + self.config.delivery.max_age_s
        for name in alert.sinks:
            if name not in self.sinks:  # a reload removed it while the alert was open
                log.warning("alert %s: sink %s is no longer configured", alert.id, name)
                continue
            self.recorder.delivery(NewDelivery(alert.id, name, kind, document, now, expires_at))


def _say_refused(delivery: NewDelivery) -> None:
    # Bounded beats unbounded even on disk: say so, loudly (it is recorded as failed).
    log.error(
        "alert delivery queue for %s full; %s for alert %s not queued",
        delivery.sink,
        delivery.kind,
        delivery.alert_id,
    )
