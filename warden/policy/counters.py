"""Counters behind quotas: an interface, and the in-memory backend.

The proxy counts in the state database (warden/state/counters.py: one SQLite file, shared by
the proxy processes of one machine, kept across restarts). Several machines need a shared
backend (Redis: INCRBYFLOAT on key+window with EXPIRE at the window's end) that implements
the same two methods; nothing else changes. `add` must be atomic and accept negative
amounts: a reservation made at the policy stage is given back when the request is refused.
In memory is for tests and for `warden policy test`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

__all__ = ["CounterEntry", "CounterStore", "InMemoryCounters"]

# (counter key, window start, value, window end), times in epoch seconds.
type CounterEntry = tuple[str, float, float, float]


class CounterStore(Protocol):
    def get(self, key: str, window_start: float) -> float: ...

    def add(self, key: str, window_start: float, amount: float, expires_at: float) -> float:
        """Add to the counter for this window and return the new total."""
        ...


class InMemoryCounters:
    def __init__(self, entries: Iterable[CounterEntry] = ()) -> None:
        self._values: dict[tuple[str, float], tuple[float, float]] = {
            (key, start): (value, end) for key, start, value, end in entries
        }
        self._adds = 0

    @property
    def changes(self) -> int:
        """How many adds so far: a saver compares it to skip writing what it already wrote."""
        return self._adds

    def entries(self, now: float) -> list[CounterEntry]:
        """Every counter whose window has not ended."""
        return [
            (key, start, value, end)
            for (key, start), (value, end) in self._values.items()
            if end > now
        ]

    def get(self, key: str, window_start: float) -> float:
        entry = self._values.get((key, window_start))
        return entry[0] if entry else 0.0

    def add(self, key: str, window_start: float, amount: float, expires_at: float) -> float:
        value, _ = self._values.get((key, window_start), (0.0, expires_at))
        value += amount
        self._values[(key, window_start)] = (value, expires_at)
        self._adds += 1
        if self._adds % 10_000 == 0:
            self._expire(window_start)
        return value

    def _expire(self, now: float) -> None:
        # Windows that have ended can never be read again: drop them to bound memory.
        stale = [k for k, (_, expires) in self._values.items() if expires <= now]
        for k in stale:
            del self._values[k]
