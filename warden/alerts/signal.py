"""What a detector or a behaviour window reports, before any rule turns it into an alert.

A Signal never carries prompt text: reasons are fixed descriptions written here, and
evidence holds only DLP's masked previews and salted hashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from warden.alerts.severity import Severity

__all__ = ["DETECTOR_NAMES", "Category", "Evidence", "Reason", "Signal", "Subject"]


class Category(StrEnum):
    PROMPT = "prompt"  # something in one request's text
    BEHAVIOUR = "behaviour"  # a pattern over time: repeats, spikes, first sightings
    POLICY = "policy"  # a policy rule with `alert:` decided this request
    SYSTEM = "system"  # Warden itself: a request forwarded without a DLP scan


# Every name a rule's `when.detectors` may use, with its category.
DETECTOR_NAMES: dict[str, Category] = {
    "prompt_injection": Category.PROMPT,
    "jailbreak": Category.PROMPT,
    "obfuscated_payload": Category.PROMPT,
    "secret": Category.PROMPT,
    "personal_data": Category.PROMPT,
    "large_paste": Category.PROMPT,
    "unsanctioned_app": Category.PROMPT,
    "repeated_blocks": Category.BEHAVIOUR,
    "usage_spike": Category.BEHAVIOUR,
    "new_app": Category.BEHAVIOUR,
    "secret_burst": Category.BEHAVIOUR,
    "policy": Category.POLICY,
    "unscanned": Category.SYSTEM,
    "evasion": Category.SYSTEM,  # a flow's names disagree (CONNECT target, SNI, Host)
    "test": Category.SYSTEM,  # `warden alerts test`
}


@dataclass(frozen=True, slots=True)
class Reason:
    """A named reason: `code` is stable for machines, `text` is for the analyst."""

    code: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A finding as an alert may show it: masked preview and salted hash, never the value."""

    entity_type: str
    preview: str = ""
    value_hash: str = ""
    count: int = 1

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_type": self.entity_type,
            "preview": self.preview,
            "value_hash": self.value_hash,
            "count": self.count,
        }


@dataclass(frozen=True, slots=True)
class Signal:
    detector: str  # one of DETECTOR_NAMES
    score: float  # 0..1: how sure the detector is
    severity: Severity  # the detector's suggestion; a rule may override it
    reasons: tuple[Reason, ...]
    evidence: tuple[Evidence, ...] = ()
    title: str = ""
    # Figures an analyst wants next to the reason: tokens vs baseline, characters pasted.
    metrics: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def category(self) -> Category:
        return DETECTOR_NAMES.get(self.detector, Category.PROMPT)


@dataclass(frozen=True, slots=True)
class Subject:
    """Who and what a signal is about: copied from the flow, never the prompt."""

    user: str = "anonymous"
    groups: tuple[str, ...] = ()
    device: str | None = None
    client_ip: str | None = None
    app: str | None = None  # catalog id
    app_name: str | None = None
    vendor: str | None = None
    host: str | None = None
    model: str | None = None
    event_id: str | None = None  # the audit event (flow id) that raised it
    action: str | None = None  # the policy decision's action, e.g. block
    rule_id: str | None = None  # the policy rule that decided

    def field_values(self) -> dict[str, str]:
        """Values for dedupe-key and title templates; missing ones read as "-"."""
        return {
            "user": self.user or "-",
            "groups": ",".join(self.groups) or "-",
            "device": self.device or self.client_ip or "-",
            "client_ip": self.client_ip or "-",
            "app": self.app or "-",
            "app_name": self.app_name or self.app or "-",
            "vendor": self.vendor or "-",
            "host": self.host or "-",
            "model": self.model or "-",
            "action": self.action or "-",
            "policy_rule": self.rule_id or "-",
        }
