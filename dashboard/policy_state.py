"""The active policy as the proxy sees it: valid or not, and when it last changed.

The proxy re-reads the file within a second of a change and keeps the last good version if
the new one is broken, so "last reload" is the file's modification time when it validates;
when it does not, the proxy is still enforcing an earlier version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warden.errors import ConfigError
from warden.policy.model import Policy, load_policy

__all__ = ["PolicyState", "policy_state"]


@dataclass(frozen=True)
class PolicyState:
    path: Path
    exists: bool
    policy: Policy | None  # None when missing or invalid
    error: str | None
    modified: datetime | None  # UTC
    mtime_ns: int | None
    text: str

    @property
    def valid(self) -> bool:
        return self.policy is not None


def policy_state(path: Path) -> PolicyState:
    try:
        stat = path.stat()
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        return PolicyState(path, False, None, f"{path}: {e.strerror}", None, None, "")
    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
    try:
        policy = load_policy(path)
    except ConfigError as e:
        return PolicyState(path, True, None, str(e), modified, stat.st_mtime_ns, text)
    return PolicyState(path, True, policy, None, modified, stat.st_mtime_ns, text)
