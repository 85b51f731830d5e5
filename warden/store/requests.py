"""Asking the running writer to change the store: a request in, a result out.

Only the writer may rewrite segments (see lock.py). When the proxy is running, `warden logs
purge` submits a request; the writer's maintenance thread picks it up within a second,
carries it out after flushing what it holds, and answers. Requests travel through the
state database (warden/state/requests.py) on one machine; a fleet can put Redis behind the
same interface.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["AdminRequest", "AdminRequests", "RequestTimeout", "ask"]

POLL_S = 0.1


class RequestTimeout(Exception):
    """The writer did not answer in time."""


@dataclass(frozen=True, slots=True)
class AdminRequest:
    action: str  # "purge_user"
    actor: str
    params: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


class AdminRequests(Protocol):
    def submit(self, request: AdminRequest) -> None: ...

    def take(self) -> list[AdminRequest]:
        """Requests not yet taken, oldest first; each is handed out once."""
        ...

    def answer(self, request_id: str, result: dict[str, Any]) -> None: ...

    def result(self, request_id: str) -> dict[str, Any] | None:
        """The answer, once there is one."""
        ...

    def withdraw(self, request_id: str) -> bool:
        """Cancel a request nobody took yet; False if the writer already has it."""
        ...

    def record(self, request: AdminRequest, result: dict[str, Any]) -> None:
        """Record a request carried out without being asked (a CLI purge)."""
        ...

    def purged_since(self, since: float) -> list[tuple[str, str]]:
        """(request id, person) of the successful purges answered since `since`."""
        ...


def ask(requests: AdminRequests, request: AdminRequest, timeout_s: float = 60.0) -> dict[str, Any]:
    """Submit and wait for the writer's answer."""
    requests.submit(request)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (result := requests.result(request.id)) is not None:
            return result
        time.sleep(POLL_S)
    if not requests.withdraw(request.id) and (result := requests.result(request.id)) is not None:
        return result
    raise RequestTimeout(f"the running proxy did not answer within {timeout_s:.0f} s")
