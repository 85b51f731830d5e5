"""What every sink shares: the notice it sends, the error it raises, the interface.

DeliveryError
+-- retryable (default)  the receiver was down, slow or said 5xx/429: try again later
`-- permanent=True       the receiver refused the message for good (4xx), or the sink is
                         misconfigured (an environment variable is missing): do not retry
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["DeliveryError", "Notice", "Sink", "env_secret"]


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # "alert" (first occurrence), "summary" (repeats when a window closed), "test"
    alert: dict[str, Any]  # Alert.to_dict(): masked previews only


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sink(Protocol):
    name: str

    def send(self, notice: Notice) -> None:
        """Deliver or raise DeliveryError. Blocking: called from a delivery worker thread."""
        ...


def env_secret(variable: str, what: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise DeliveryError(f"environment variable {variable} ({what}) is not set", permanent=True)
    return value
