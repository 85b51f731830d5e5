"""Throttle windows: which alert a dedupe key belongs to right now, and how often it repeated.

One window per key, fixed length from its first occurrence. `occur` either opens a window
(a new alert: deliver it) or adds one to the open window's count, atomically, so that
several processes sharing a store (warden/state/alert_windows.py: the state database on one
machine; warden/state/redis_alert_windows.py: Redis for a fleet) make one alert per key and
window, with every process's repeats in its count. An ended window is handed back once, to
one caller, by `expire` (or by the `occur` that replaces it) so its summary goes out once.

A shared store that cannot be reached raises WindowsUnreachable; FallbackWindows then keeps
alerting with this process's own windows (alerts marked `counted_locally`), because an alert
must never be lost to a store outage. What was counted locally is not merged back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from warden.alerts.alert import Alert

__all__ = [
    "MAX_OPEN_WINDOWS",
    "AlertWindows",
    "FallbackWindows",
    "LocalWindows",
    "Outcome",
    "WindowsUnreachable",
]

log = logging.getLogger("warden.alerts")

MAX_OPEN_WINDOWS = 100_000  # keys kept at once in memory; the oldest windows close early
RETRY_AFTER_S = 1.0


class WindowsUnreachable(Exception):
    """The shared window store did not answer (down, locked past its timeout, disk full)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    alert: Alert  # the alert as it stands after this occurrence: a snapshot
    new: bool  # this occurrence opened the window: deliver the alert
    ended: Alert | None = None  # the key's previous window, ended with repeats: summarise it


class AlertWindows(Protocol):
    def occur(self, opening: Alert, summary: bool, now: float) -> Outcome:
        """Count one occurrence of `opening.dedupe_key`; `opening` is the alert it starts if
        no window is open, `summary` whether that window's end is to be summarised."""
        ...

    def expire(self, now: float) -> list[Alert]:
        """Close ended windows; those with repeats whose rule wants a summary, each once."""
        ...

    def forget_user(self, user: str) -> int:
        """Close the open windows about `user` (a privacy purge); how many there were."""
        ...

    def open_count(self) -> int: ...


def joined(current: Alert, opening: Alert, now: float) -> Alert:
    """`current` after one more occurrence, described by `opening`."""
    current.count += 1
    current.last_seen = max(current.last_seen, now)
    current.last_event_id = opening.last_event_id or current.last_event_id
    current.score = max(current.score, opening.score)
    current.rev += 1
    return current


class LocalWindows:
    """This process's own windows, in memory (one process, or a shared store's stand-in)."""

    def __init__(self) -> None:
        self._open: dict[str, tuple[Alert, bool]] = {}

    def occur(self, opening: Alert, summary: bool, now: float) -> Outcome:
        key = opening.dedupe_key
        current = self._open.get(key)
        if current is not None and current[0].window_ends > now:
            return Outcome(joined(current[0], opening, now).snapshot(), new=False)
        ended = None
        if current is not None:
            del self._open[key]
            if current[1] and current[0].count > 1:
                ended = current[0].snapshot()
        if len(self._open) >= MAX_OPEN_WINDOWS:
            oldest = min(self._open, key=lambda k: self._open[k][0].first_seen)
            del self._open[oldest]
        alert = opening.snapshot()
        self._open[key] = (alert, summary)
        return Outcome(alert.snapshot(), new=True, ended=ended)

    def expire(self, now: float) -> list[Alert]:
        closed = [key for key, (alert, _) in self._open.items() if alert.window_ends <= now]
        out = []
        for key in closed:
            alert, summary = self._open.pop(key)
            if summary and alert.count > 1:
                out.append(alert.snapshot())
        return out

    def forget_user(self, user: str) -> int:
        keys = [key for key, (alert, _) in self._open.items() if alert.subject.user == user]
        for key in keys:
            del self._open[key]
        return len(keys)

    def open_count(self) -> int:
        return len(self._open)


class FallbackWindows:
    """A shared store's windows while it answers, this process's own while it does not.

    After a failure the shared store is tried again only after `retry_after_s`, so a dead
    store costs one timeout per interval, not one per alert. One log line when falling
    back, one when the shared windows are in force again.
    """

    def __init__(
        self,
        shared: AlertWindows,
        name: str,
        retry_after_s: float = RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = shared
        self.local = LocalWindows()
        self.name = name  # safe to log: no password
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._failed_at: float | None = None

    @property
    def reachable(self) -> bool:
        return self._failed_at is None

    def occur(self, opening: Alert, summary: bool, now: float) -> Outcome:
        if self._should_try():
            try:
                outcome = self.shared.occur(opening, summary, now)
            except WindowsUnreachable as e:
                self._failed(e)
            else:
                self._succeeded()
                return outcome
        return self.local.occur(replace(opening, counted_locally=True), summary, now)

    def expire(self, now: float) -> list[Alert]:
        out = self.local.expire(now)
        if self._should_try():
            try:
                out += self.shared.expire(now)
            except WindowsUnreachable as e:
                self._failed(e)
            else:
                self._succeeded()
        return out

    def forget_user(self, user: str) -> int:
        forgotten = self.local.forget_user(user)
        try:
            forgotten += self.shared.forget_user(user)
        except WindowsUnreachable as e:
            # The purged alerts cannot be written back (the store keeps their ids as purged);
            # a repeat inside the shared window adds to an alert nobody sees any more.
            log.error("alert windows: %s: the purged user's windows stay open (%s)", self.name, e)
            self._failed(e)
        return forgotten

    def open_count(self) -> int:
        shared = 0
        if self.reachable:
            try:
                shared = self.shared.open_count()
            except WindowsUnreachable as e:
                self._failed(e)
        return self.local.open_count() + shared

    def _should_try(self) -> bool:
        failed_at = self._failed_at
        return failed_at is None or self._clock() - failed_at >= self._retry_after_s

    def _failed(self, error: WindowsUnreachable) -> None:
        first = self._failed_at is None
        self._failed_at = self._clock()
        if first:
            log.warning(
                "alert windows: %s: %s; deduping and counting alerts in this process alone "
                "(marked counted_locally) until it answers",
                self.name,
                error,
            )

    def _succeeded(self) -> None:
        if self._failed_at is not None:
            self._failed_at = None
            log.warning("alert windows: %s answers again; shared windows in force", self.name)
