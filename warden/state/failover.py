"""What Warden does while its shared state store is unreachable: refuse, or count locally.

`refuse` (the default) raises StateUnreachable to the caller, which refuses the AI requests
that need shared state (a quota applies, a coaching pass is checked or granted) with a 503.
`local` answers from in-memory counters and passes instead, so each instance enforces the
quotas on what it sees itself until the store is back; the caller marks those events.

A breaker keeps a dead store from costing every request a timeout: after a failure, calls
fail at once (or go local) until a probe or a call one retry interval later succeeds. What
was counted locally is not merged into the store when it returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from warden.policy.coaching import InMemoryPasses, PassStore
from warden.policy.counters import CounterStore, InMemoryCounters
from warden.state.redis_store import StateUnreachable

__all__ = ["FailoverCounters", "FailoverPasses", "StoreHealth", "Unreachable"]

log = logging.getLogger("warden.state")

RETRY_AFTER_S = 1.0


class Unreachable(StrEnum):
    """`--state-unreachable`: what to do while the shared store cannot be reached."""

    REFUSE = "refuse"
    LOCAL = "local"


class _Pingable(Protocol):
    def ping(self) -> None: ...


class StoreHealth:
    """Whether the shared store answered last time; one per store, shared by its users."""

    def __init__(
        self,
        name: str,
        mode: Unreachable = Unreachable.REFUSE,
        retry_after_s: float = RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name  # the redacted URL: safe to log
        self.mode = mode
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._error = ""

    @property
    def reachable(self) -> bool:
        return self._failed_at is None

    def problem(self) -> str | None:
        """For /healthz and the log: None while the store answers."""
        if self._failed_at is None:
            return None
        doing = (
            "refusing requests that need it"
            if self.mode is Unreachable.REFUSE
            else ("counting locally")
        )
        return f"unreachable, {doing}"

    def should_try(self) -> bool:
        failed_at = self._failed_at
        return failed_at is None or self._clock() - failed_at >= self._retry_after_s

    def failed(self, error: StateUnreachable) -> None:
        with self._lock:
            first = self._failed_at is None
            self._failed_at = self._clock()
            self._error = str(error)
        if first:
            # A warning, not an error: mitmproxy exits on an error logged during startup, and
            # a Warden started while Redis is down must still serve (or refuse) as configured.
            log.warning("%s: %s; %s", self.name, error, self.problem())

    def succeeded(self) -> None:
        with self._lock:
            was_down = self._failed_at is not None
            self._failed_at = None
        if was_down:
            log.warning("%s: reachable again; shared state in force", self.name)

    def probe(self, store: _Pingable) -> bool:
        """Ping the store (blocking: call it off the event loop); True if it answered."""
        try:
            store.ping()
        except StateUnreachable as e:
            self.failed(e)
            return False
        self.succeeded()
        return True

    def call[T](self, remote: Callable[[], T], local: Callable[[], T]) -> T:
        if self.should_try():
            try:
                result = remote()
            except StateUnreachable as e:
                self.failed(e)
            else:
                self.succeeded()
                return result
        if self.mode is Unreachable.LOCAL:
            return local()
        raise StateUnreachable(f"{self.name}: {self._error or 'unreachable'}")


class FailoverCounters:
    """A CounterStore that uses the shared store while it answers (see the module doc)."""

    def __init__(self, remote: CounterStore, health: StoreHealth) -> None:
        self.remote, self.health = remote, health
        self.local = InMemoryCounters()

    def get(self, key: str, window_start: float) -> float:
        return self.health.call(
            lambda: self.remote.get(key, window_start),
            lambda: self.local.get(key, window_start),
        )

    def add(self, key: str, window_start: float, amount: float, expires_at: float) -> float:
        return self.health.call(
            lambda: self.remote.add(key, window_start, amount, expires_at),
            lambda: self.local.add(key, window_start, amount, expires_at),
        )


class FailoverPasses:
    """A PassStore that uses the shared store while it answers (see the module doc)."""

    def __init__(self, remote: PassStore, health: StoreHealth) -> None:
        self.remote, self.health = remote, health
        self.local = InMemoryPasses()

    def expires(self, user: str, app: str, rule_id: str) -> float | None:
        return self.health.call(
            lambda: self.remote.expires(user, app, rule_id),
            lambda: self.local.expires(user, app, rule_id),
        )

    def grant(self, user: str, app: str, rule_id: str, expires: float) -> None:
        self.health.call(
            lambda: self.remote.grant(user, app, rule_id, expires),
            lambda: self.local.grant(user, app, rule_id, expires),
        )
