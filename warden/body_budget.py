"""One cap on the bytes the proxy holds for request bodies in flight, whoever sends them.

Each request body that is being received or inspected holds a reservation, keyed by its flow
id: the size it declared, or what has arrived so far when it declared none. A reservation that
would take the total past the cap is refused, so many large or stalled uploads cannot exhaust
the proxy's memory together. A request alone in the proxy is always admitted (its own size is
limited by warden_max_body), so a cap below that limit cannot lock out every large request.

One sender (a person, or a client address when Warden does not know who) may hold at most a
quarter of the cap, beyond a single request of theirs: without that, one client opening a few
dozen stalled uploads refused everyone else's requests for as long as it kept them open (found
by the second attack review).
"""

from __future__ import annotations

__all__ = ["BodyBudget"]


# The share of the cap one sender may hold: 1 / SENDER_SHARE.
SENDER_SHARE = 4


class BodyBudget:
    def __init__(self, cap: int) -> None:
        self.cap = cap  # 0: no cap, reservations are only counted
        self._held: dict[str, int] = {}
        self._owner: dict[str, str] = {}  # reservation -> who sends it
        self._by_owner: dict[str, int] = {}
        self._total = 0

    @property
    def in_use(self) -> int:
        return self._total

    def holders(self) -> int:
        return len(self._held)

    def held(self, key: str) -> int:
        return self._held.get(key, 0)

    def reserve(self, key: str, size: int, owner: str = "") -> bool:
        """Grow `key`'s reservation (sent by `owner`; "" counts against no one) to `size` if it
        fits; False if not (it keeps what it held)."""
        current = self._held.get(key, 0)
        if size <= current:
            return True
        owner = self._owner.setdefault(key, owner)
        others = self._total - current
        if self.cap and others and others + size > self.cap:
            return False
        own_others = self._by_owner.get(owner, 0) - current
        if owner and self.cap and own_others and own_others + size > self.cap // SENDER_SHARE:
            return False
        self._set(key, current, size)
        return True

    def settle(self, key: str, size: int) -> None:
        """Set `key`'s reservation to what its body really takes, past the cap if need be: the
        bytes are already in memory by then."""
        self._set(key, self._held.get(key, 0), size)

    def release(self, key: str) -> int:
        """Drop `key`'s reservation (any number of times); the bytes it held."""
        size = self._held.pop(key, 0)
        self._total -= size
        owner = self._owner.pop(key, None)
        if owner is not None:
            left = self._by_owner.get(owner, 0) - size
            if left > 0:
                self._by_owner[owner] = left
            else:
                self._by_owner.pop(owner, None)
        return size

    def _set(self, key: str, current: int, size: int) -> None:
        self._held[key] = size
        self._total += size - current
        owner = self._owner.setdefault(key, "")
        self._by_owner[owner] = self._by_owner.get(owner, 0) + size - current
