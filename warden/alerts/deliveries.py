"""Pending alert deliveries as data: what a delivery queue holds, and its interface.

A delivery is one notice (an alert, a window's summary, a test) for one sink. It waits in
the queue until a sink worker claims it; each attempt is recorded, and the delivery ends
delivered, failed (the receiver refused it for good) or expired (still failing at its max
age). The queue lives in the state store, so it survives a restart; a claim is a lease, so
a process that dies mid-attempt does not hold a delivery for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from warden.alerts.alert import DeliveryState

__all__ = ["Attempt", "DeliveryQueue", "NewDelivery", "PendingDelivery"]


@dataclass(frozen=True, slots=True)
class NewDelivery:
    alert_id: str
    sink: str
    kind: str  # alert | summary | test
    notice: dict[str, Any]  # Alert.to_dict(): masked previews only
    created_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    id: int
    alert_id: str
    sink: str
    kind: str
    notice: dict[str, Any]
    attempts: int  # made so far
    created_at: float
    expires_at: float | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at delivering: never the notice, never a secret, only what went wrong."""

    at: float
    state: DeliveryState  # what the delivery is after this attempt
    error_class: str | None = None  # e.g. ConnectTimeout, HTTP 503, DeliveryError
    error: str | None = None  # the sink's own description (hosts only, no URLs or keys)
    next_attempt_at: float | None = None


class DeliveryQueue(Protocol):
    def enqueue(self, deliveries: list[NewDelivery], max_pending: int) -> list[NewDelivery]:
        """Add deliveries; returns those refused because their sink has max_pending waiting."""
        ...

    def claim(self, sink: str, owner: str, now: float, lease_s: float) -> PendingDelivery | None:
        """The next due delivery for `sink`, held for `owner` until now + lease_s."""
        ...

    def next_due_at(self, sink: str) -> float | None: ...

    def record_attempt(self, delivery_id: int, owner: str, attempt: Attempt) -> None: ...

    def expire(self, now: float) -> int:
        """End the deliveries that passed their max age; returns how many."""
        ...

    def release(self, owner: str) -> None:
        """Give back every claim `owner` holds (a clean shutdown)."""
        ...

    def unfinished(self, sinks: list[str] | None = None) -> int:
        """Deliveries still pending or retrying (for these sinks)."""
        ...
