"""Dashboard roles, ordered: each one may do everything the one below it may.

viewer   aggregates only: charts, per-user and per-app figures, alert titles; never
         prompt text, finding previews or alert evidence; no actions
analyst  + the review queue with captured prompts and masked findings; review actions
         (reviewed, false positive, escalate) and alert acknowledge / resolve
admin    + writes to the policy: adding a false positive to dlp.allow_list
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {Role.VIEWER: 1, Role.ANALYST: 2, Role.ADMIN: 3}
