"""How bad an alert is, with an order so that rules can ask for "at least high"."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Severity"]


class Severity(StrEnum):
    # Same names as the policy's `alert: {severity}` (warden.policy.model.Severity); kept
    # separate because the policy model imports this package's config, not the reverse.
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def of(cls, value: object) -> Severity:
        """A Severity from this enum, the policy's enum or a plain string."""
        return cls(str(getattr(value, "value", value)).lower())


_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
