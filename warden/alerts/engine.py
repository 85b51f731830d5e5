"""Alert rules: which signals become alerts, how bad, where they go, and how repeats fold.

For every signal, every enabled rule whose conditions hold produces an occurrence. Its
dedupe key (a template such as "{rule}:{user}:{detector}") names the alert it belongs to:
- no alert with that key is open in its throttle window: a new alert, delivered to the
  rule's sinks once, and its window starts (fixed length from the first occurrence);
- one is: its count goes up and nothing is delivered.
When a window closes with repeats, expire() hands the alert back once so that a summary
("repeated 50 times") can go to the same sinks, if the rule keeps `summary: true`.

The windows live in an AlertWindows store (warden/alerts/windows.py): this process's memory
by default, or a store that several processes share, so that a key repeated in two
processes is one alert with both repeats in its count. A shared store's calls may wait on
a disk or the network: the proxy calls the engine from a thread of its own (service.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from warden.alerts.alert import Alert
from warden.alerts.config import AlertCondition, AlertRule, AlertsConfig
from warden.alerts.severity import Severity
from warden.alerts.signal import Signal, Subject
from warden.alerts.windows import AlertWindows, LocalWindows

__all__ = ["AlertEngine", "Occurrence", "condition_holds", "render_template"]


@dataclass(frozen=True, slots=True)
class Occurrence:
    alert: Alert  # a snapshot, safe to hand to other threads
    rule: AlertRule
    new: bool  # first in its window: deliver it
    ended: Alert | None = None  # the key's previous window, just closed: its summary is due


def condition_holds(cond: AlertCondition, signal: Signal, subject: Subject) -> bool:
    if cond.detectors and signal.detector not in cond.detectors:
        return False
    if cond.categories and signal.category not in cond.categories:
        return False
    if signal.score < cond.min_score:
        return False
    if cond.min_severity is not None and signal.severity.rank < cond.min_severity.rank:
        return False
    if cond.users and subject.user not in cond.users:
        return False
    if cond.groups and not set(cond.groups) & set(subject.groups):
        return False
    if cond.apps and subject.app not in cond.apps:
        return False
    return not (cond.actions and subject.action not in cond.actions)


def render_template(template: str, rule: AlertRule, signal: Signal, subject: Subject) -> str:
    fields = subject.field_values()
    fields.update(
        rule=rule.id,
        detector=signal.detector,
        severity=(rule.severity or signal.severity).value,
        category=signal.category.value,
    )
    return template.format(**fields)


class AlertEngine:
    def __init__(
        self,
        config: AlertsConfig,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        windows: AlertWindows | None = None,
    ) -> None:
        self._clock = clock
        self._new_id = new_id
        self.windows: AlertWindows = windows if windows is not None else LocalWindows()
        self.configure(config)

    def configure(self, config: AlertsConfig) -> None:
        """Use new rules; alerts already open keep their windows (same keys, same alerts)."""
        self._rules = config.active_rules() if config.enabled else []
        self._by_id = {rule.id: rule for rule in [*config.rules, *config.active_rules()]}

    def process(self, signals: Iterable[Signal], subject: Subject) -> list[Occurrence]:
        now = self._clock()
        out: list[Occurrence] = []
        keys_this_call: set[str] = set()
        for signal in signals:
            for rule in self._rules:
                if not condition_holds(rule.when, signal, subject):
                    continue
                key = render_template(rule.dedupe_key, rule, signal, subject)
                if key in keys_this_call:
                    continue  # two signals of one request with one key: one occurrence
                keys_this_call.add(key)
                out.append(self._occur(key, rule, signal, subject, now))
        return out

    def expire(self) -> list[tuple[Alert, AlertRule | None]]:
        """Close windows that have ended; return those whose repeats deserve a summary, with
        their rule (None if a reload removed it: the summary was asked for at the start)."""
        ended = self.windows.expire(self._clock())
        return [(alert, self._by_id.get(alert.rule)) for alert in ended]

    def open_alerts(self) -> int:
        return self.windows.open_count()

    def forget_user(self, user: str) -> int:
        """Drop the open alerts about `user` (a privacy purge), so a repeat of one starts a
        new alert instead of writing the purged one back; returns how many were open."""
        return self.windows.forget_user(user)

    def _occur(
        self, key: str, rule: AlertRule, signal: Signal, subject: Subject, now: float
    ) -> Occurrence:
        severity: Severity = rule.severity or signal.severity
        title = (
            render_template(rule.title, rule, signal, subject)
            if rule.title
            else signal.title or signal.detector
        )
        alert = Alert(
            id=self._new_id(),
            rule=rule.id,
            dedupe_key=key,
            severity=severity,
            title=title,
            detector=signal.detector,
            category=signal.category.value,
            score=signal.score,
            reasons=signal.reasons,
            evidence=signal.evidence,
            subject=subject,
            sinks=tuple(rule.sinks),
            first_seen=now,
            last_seen=now,
            window_ends=now + rule.throttle_s,
            first_event_id=subject.event_id,
            last_event_id=subject.event_id,
            metrics=dict(signal.metrics),
        )
        outcome = self.windows.occur(alert, rule.summary, now)
        return Occurrence(outcome.alert, rule, outcome.new, outcome.ended)
