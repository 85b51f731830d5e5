"""An alert and the records kept about it: state changes and delivery attempts.

Records are plain dicts on disk (see store.py); these classes are their in-memory form.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Subject

__all__ = ["Alert", "AlertState", "DeliveryState", "DeliveryStatus", "StateChange", "iso"]


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class DeliveryState(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"  # the last attempt failed; another is scheduled
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: attempts exhausted or the receiver refused for good
    EXPIRED = "expired"  # still failing when it reached delivery.max_age


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Alert:
    id: str
    rule: str
    dedupe_key: str
    severity: Severity
    title: str
    detector: str
    category: str
    score: float
    reasons: tuple[Reason, ...]
    evidence: tuple[Evidence, ...]
    subject: Subject
    sinks: tuple[str, ...]
    first_seen: float
    last_seen: float
    window_ends: float  # repeats until then add to `count`; after it a new alert starts
    count: int = 1
    first_event_id: str | None = None
    last_event_id: str | None = None
    metrics: dict[str, float | int | str] = field(default_factory=dict)
    rev: int = 1  # bumped on every change; the store keeps the highest
    test: bool = False  # sent by `warden alerts test`
    # Deduped and counted by this process alone: the shared window store did not answer,
    # so another instance may hold an alert with the same key (warden/alerts/windows.py).
    counted_locally: bool = False

    def snapshot(self) -> Alert:
        return replace(self, metrics=dict(self.metrics))

    def to_dict(self) -> dict[str, Any]:
        s = self.subject
        return {
            "id": self.id,
            "rev": self.rev,
            "rule": self.rule,
            "dedupe_key": self.dedupe_key,
            "severity": self.severity.value,
            "title": self.title,
            "detector": self.detector,
            "category": self.category,
            "score": round(self.score, 3),
            "reasons": [r.to_dict() for r in self.reasons],
            "evidence": [e.to_dict() for e in self.evidence],
            "user": s.user,
            "groups": list(s.groups),
            "device": s.device,
            "client_ip": s.client_ip,
            "app": s.app,
            "app_name": s.app_name,
            "vendor": s.vendor,
            "host": s.host,
            "model": s.model,
            "action": s.action,
            "policy_rule": s.rule_id,
            "sinks": list(self.sinks),
            "count": self.count,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "window_ends": self.window_ends,
            "first_event_id": self.first_event_id,
            "last_event_id": self.last_event_id,
            "metrics": dict(self.metrics),
            "test": self.test,
            "counted_locally": self.counted_locally,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        """The inverse of to_dict (a shared window hands alerts between processes)."""
        subject = Subject(
            user=d.get("user") or "anonymous",
            groups=tuple(d.get("groups") or ()),
            device=d.get("device"),
            client_ip=d.get("client_ip"),
            app=d.get("app"),
            app_name=d.get("app_name"),
            vendor=d.get("vendor"),
            host=d.get("host"),
            model=d.get("model"),
            event_id=d.get("last_event_id"),
            action=d.get("action"),
            rule_id=d.get("policy_rule"),
        )
        return cls(
            id=str(d["id"]),
            rule=str(d["rule"]),
            dedupe_key=str(d["dedupe_key"]),
            severity=Severity(d["severity"]),
            title=str(d.get("title") or ""),
            detector=str(d.get("detector") or ""),
            category=str(d.get("category") or ""),
            score=float(d.get("score") or 0.0),
            reasons=tuple(Reason(str(r["code"]), str(r["text"])) for r in d.get("reasons") or ()),
            evidence=tuple(Evidence(**e) for e in d.get("evidence") or ()),
            subject=subject,
            sinks=tuple(d.get("sinks") or ()),
            first_seen=float(d["first_seen"]),
            last_seen=float(d["last_seen"]),
            window_ends=float(d["window_ends"]),
            count=int(d.get("count") or 1),
            first_event_id=d.get("first_event_id"),
            last_event_id=d.get("last_event_id"),
            metrics=dict(d.get("metrics") or {}),
            rev=int(d.get("rev") or 1),
            test=bool(d.get("test")),
            counted_locally=bool(d.get("counted_locally")),
        )


@dataclass(frozen=True, slots=True)
class StateChange:
    alert_id: str
    state: AlertState
    who: str
    note: str = ""
    at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "state": self.state.value,
            "who": self.who,
            "note": self.note,
            "at": self.at,
        }


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    alert_id: str
    sink: str
    kind: str  # alert | summary | test
    state: DeliveryState
    attempts: int = 0
    last_error: str | None = None
    delivered_at: float | None = None
    next_attempt_at: float | None = None
    at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "sink": self.sink,
            "kind": self.kind,
            "state": self.state.value,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at,
            "next_attempt_at": self.next_attempt_at,
            "at": self.at,
        }
