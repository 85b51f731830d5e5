"""Why Warden did not forward a request: one shape for every stage that can refuse.

Each stage of the proxy (inspection, DLP, policy, quotas, redaction, the audit store, the body
limits) that decides a request must not leave says so with a Refusal; one function in the
addons turns it into the reply in the provider's format and the record in the audit log.
`reason` goes to the audit log and must never quote the request's content; `message` is what
the person sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Refusal", "Stage"]


class Stage(StrEnum):
    """The part of the pipeline that refused, as recorded in the audit log."""

    INSPECT = "inspect"  # the request could not be read or is not allowed in its form
    LIMITS = "limits"  # body size, time or the in-flight cap
    DLP = "dlp"  # the scanner could not check it (fail_mode: closed)
    POLICY = "policy"  # a rule blocked it
    QUOTA = "quota"  # a quota or budget is used up
    REDACT = "redact"  # what the rule asked to replace could not be replaced
    AUDIT = "audit"  # the audit store cannot record it (on_store_failure: block)
    STATE = "state"  # the shared state store (quotas, passes) is unreachable (refuse mode)
    PIPELINE = "pipeline"  # a stage failed with an internal error


@dataclass(frozen=True)
class Refusal:
    stage: Stage
    status: int
    code: str
    reason: str  # for the audit log: what and why, never the content
    message: str = ""  # for the person who sent it; the reason when empty
    headers: Mapping[str, str] = field(default_factory=dict)
    rule_id: str | None = None  # the policy rule that refused, when one did

    @property
    def shown(self) -> str:
        return self.message or self.reason

    def record(self) -> dict[str, object]:
        """The audit log's `rejected` column."""
        return {
            "stage": str(self.stage),
            "status": self.status,
            "code": self.code,
            "reason": self.reason,
        }
