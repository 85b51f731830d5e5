"""Alert rules: conditions, severity, dedupe keys and throttle windows."""

from __future__ import annotations

from warden.alerts.config import AlertsConfig
from warden.alerts.engine import AlertEngine
from warden.alerts.severity import Severity
from warden.alerts.signal import Reason, Signal, Subject


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def signal(detector: str = "jailbreak", score: float = 0.8, severity=Severity.MEDIUM) -> Signal:
    return Signal(detector, score, severity, (Reason("x", "why"),), title="Something")


def config(**rule) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "sinks": {"soc": {"type": "webhook", "url": "http://127.0.0.1:9/x"}},
            "rules": [{"id": "r", "sinks": ["soc"], **rule}],
        }
    )


def test_fifty_repeats_in_the_window_are_one_alert_with_a_count_of_fifty():
    clock = Clock()
    engine = AlertEngine(config(throttle="10m"), clock)
    outcomes = []
    for i in range(50):
        clock.now += 1
        outcomes += engine.process([signal()], Subject(user="bob", event_id=f"e{i}"))
    assert [o.new for o in outcomes].count(True) == 1
    assert len({o.alert.id for o in outcomes}) == 1
    last = outcomes[-1].alert
    assert last.count == 50
    assert last.first_event_id == "e0" and last.last_event_id == "e49"


def test_after_the_window_a_new_alert_starts_and_the_old_one_is_summarised():
    clock = Clock()
    engine = AlertEngine(config(throttle="10m"), clock)
    first = engine.process([signal()], Subject(user="bob"))[0].alert
    engine.process([signal()], Subject(user="bob"))
    clock.now += 601
    [(summary, rule)] = engine.expire()
    assert summary.id == first.id and summary.count == 2 and rule.id == "r"
    again = engine.process([signal()], Subject(user="bob"))[0]
    assert again.new and again.alert.id != first.id


def test_a_window_without_repeats_sends_no_summary():
    clock = Clock()
    engine = AlertEngine(config(), clock)
    engine.process([signal()], Subject(user="bob"))
    clock.now += 3600
    assert engine.expire() == []


def test_summaries_can_be_switched_off():
    clock = Clock()
    engine = AlertEngine(config(summary=False), clock)
    engine.process([signal()], Subject(user="bob"))
    engine.process([signal()], Subject(user="bob"))
    clock.now += 3600
    assert engine.expire() == []


def test_the_dedupe_key_decides_what_counts_as_the_same_alert():
    engine = AlertEngine(config(dedupe_key="{rule}:{detector}"), Clock())
    a = engine.process([signal()], Subject(user="bob"))[0]
    b = engine.process([signal()], Subject(user="carol"))[0]
    assert a.alert.id == b.alert.id and not b.new
    per_user = AlertEngine(config(), Clock())
    a = per_user.process([signal()], Subject(user="bob"))[0]
    b = per_user.process([signal()], Subject(user="carol"))[0]
    assert a.alert.id != b.alert.id and b.new


def test_conditions_filter_by_detector_score_severity_group_and_action():
    engine = AlertEngine(
        config(
            when={
                "detectors": ["jailbreak"],
                "min_score": 0.7,
                "min_severity": "medium",
                "groups": ["contractors"],
                "actions": ["block"],
            }
        ),
        Clock(),
    )
    ok = Subject(user="u", groups=("contractors",), action="block")
    assert engine.process([signal()], ok)
    assert not engine.process([signal("prompt_injection")], ok)
    assert not engine.process([signal(score=0.6)], ok)
    assert not engine.process([signal(severity=Severity.LOW)], ok)
    assert not engine.process([signal()], Subject(user="u", groups=("staff",), action="block"))
    assert not engine.process([signal()], Subject(user="u", groups=("contractors",)))


def test_rule_severity_and_title_template_override_the_signal():
    engine = AlertEngine(
        config(severity="critical", title="{detector} by {user} on {app}"), Clock()
    )
    [o] = engine.process([signal()], Subject(user="bob", app="openai"))
    assert o.alert.severity is Severity.CRITICAL
    assert o.alert.title == "jailbreak by bob on openai"
    assert o.alert.sinks == ("soc",)


def test_without_rules_medium_signals_are_stored_and_low_ones_are_not():
    engine = AlertEngine(AlertsConfig(), Clock())
    assert engine.process([signal()], Subject())[0].alert.sinks == ()
    assert engine.process([signal("unsanctioned_app", 1.0, Severity.LOW)], Subject()) == []


def test_two_signals_of_one_request_with_one_key_count_once():
    engine = AlertEngine(config(dedupe_key="{rule}:{user}"), Clock())
    outcomes = engine.process([signal(), signal("prompt_injection")], Subject(user="bob"))
    assert len(outcomes) == 1 and outcomes[0].alert.count == 1


def test_disabled_alerting_raises_nothing():
    engine = AlertEngine(AlertsConfig(enabled=False), Clock())
    assert engine.process([signal()], Subject()) == []


def test_forgetting_a_purged_user_closes_their_open_alerts_and_only_theirs():
    engine = AlertEngine(config(throttle="10m"), Clock())
    bobs = engine.process([signal()], Subject(user="bob"))[0].alert
    carols = engine.process([signal()], Subject(user="carol"))[0].alert
    assert engine.forget_user("bob") == 1
    again = engine.process([signal()], Subject(user="bob"))[0]
    assert again.new and again.alert.id != bobs.id and again.alert.count == 1
    still = engine.process([signal()], Subject(user="carol"))[0]
    assert not still.new and still.alert.id == carols.id and still.alert.count == 2
