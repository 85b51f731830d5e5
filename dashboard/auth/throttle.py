"""Slow down password guessing: after a few failures a name is refused for a while.

Keyed by user name (the dashboard sees no reliable client address behind a reverse proxy).
The lockout is short on purpose: long enough to make guessing useless, short enough that a
stranger cannot keep a colleague locked out for long. One instance per dashboard process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["LoginThrottle"]


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 300.0,
        lockout_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.window_s, self.lockout_s = max_failures, window_s, lockout_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_s(self, name: str) -> float:
        """Seconds until `name` may try again; 0 when it may now."""
        with self._lock:
            return max(0.0, self._locked_until.get(name, 0.0) - self._clock())

    def failed(self, name: str) -> None:
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(name, []) if now - t < self.window_s]
            recent.append(now)
            if len(recent) >= self.max_failures:
                self._locked_until[name] = now + self.lockout_s
                recent = []
            self._failures[name] = recent

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
            self._locked_until.pop(name, None)
