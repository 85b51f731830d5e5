"""Behaviour windows with a moving clock: blocks, spikes, new apps, secret bursts."""

from __future__ import annotations

import json

from tests.alerts.test_engine import Clock
from warden.alerts.behaviour import BehaviourTracker, KnownApps
from warden.alerts.config import BehaviourSettings
from warden.alerts.signal import Subject

ALICE = Subject(user="alice", device="laptop-1", app="openai", app_name="OpenAI API")


def tracker(clock: Clock, **settings) -> BehaviourTracker:
    return BehaviourTracker(BehaviourSettings.model_validate(settings), clock)


def test_repeated_blocks_fire_at_the_threshold_within_the_window():
    clock = Clock()
    t = tracker(clock, repeated_blocks={"count": 3, "window": "10m"})
    fired = []
    for _ in range(3):
        clock.now += 60
        fired.append(t.on_request(ALICE, blocked=True, secrets=0))
    assert [bool(f) for f in fired] == [False, False, True]
    assert fired[-1][0].detector == "repeated_blocks"
    assert fired[-1][0].metrics["blocked"] == 3


def test_blocks_spread_beyond_the_window_do_not_fire():
    clock = Clock()
    t = tracker(clock, repeated_blocks={"count": 3, "window": "10m"})
    for _ in range(5):
        clock.now += 400
        assert t.on_request(ALICE, blocked=True, secrets=0) == []


def test_token_spike_against_the_users_own_baseline():
    clock = Clock()
    t = tracker(clock, usage_spike={"factor": 5, "min_tokens": 1000, "min_samples": 5})
    for _ in range(20):
        assert t.on_usage(ALICE, 800, None) == []
    [spike] = t.on_usage(ALICE, 9000, None)
    assert spike.detector == "usage_spike"
    assert spike.reasons[0].code == "tokens_spike"
    assert spike.metrics["baseline_tokens"] == 800
    # Another heavy user's normal is not a spike for them.
    bob = Subject(user="bob")
    for _ in range(20):
        assert t.on_usage(bob, 9000, None) == []


def test_one_spike_does_not_become_the_new_normal():
    clock = Clock()
    t = tracker(clock, usage_spike={"factor": 5, "min_tokens": 1000, "min_samples": 5})
    for _ in range(20):
        t.on_usage(ALICE, 500, None)
    t.on_usage(ALICE, 50_000, None)
    assert t.on_usage(ALICE, 40_000, None), "the next spike still stands out"


def test_cost_spike_is_reported_when_cost_is_known():
    t = tracker(Clock(), usage_spike={"factor": 4, "min_tokens": 10**9, "min_cost_usd": 0.1})
    for _ in range(12):
        t.on_usage(ALICE, 100, 0.01)
    [spike] = t.on_usage(ALICE, 100, 1.5)
    assert spike.reasons[0].code == "cost_usd_spike"


def test_new_app_fires_once_after_learning_and_is_remembered(tmp_path):
    clock = Clock()
    path = tmp_path / "known-apps.json"
    t = BehaviourTracker(
        BehaviourSettings.model_validate({"new_app": {"learning": "1h"}}),
        clock,
        KnownApps(path, clock),
    )
    assert t.on_app(ALICE) is None, "learning: what is used today is not news"
    clock.now += 7200
    claude = Subject(user="bob", app="claude-web", app_name="Claude")
    signal = t.on_app(claude)
    assert signal is not None and signal.detector == "new_app"
    assert t.on_app(claude) is None
    t.known_apps.save()
    assert set(json.loads(path.read_text())["apps"]) == {"openai", "claude-web"}
    restarted = BehaviourTracker(BehaviourSettings(), clock, KnownApps(path, clock))
    assert restarted.on_app(claude) is None


def test_secret_burst_by_device_even_across_users():
    clock = Clock()
    t = tracker(clock, secret_burst={"count": 3, "window": "5m"})
    results = []
    for user in ("u1", "u2", "u3"):
        clock.now += 10
        results.append(t.on_request(Subject(user=user, device="kiosk-9"), blocked=False, secrets=1))
    assert results[-1][0].detector == "secret_burst"
    assert "device" in results[-1][0].reasons[0].text


def test_memory_is_bounded_by_max_tracked():
    t = tracker(Clock(), max_tracked=100)
    for i in range(1000):
        t.on_usage(Subject(user=f"user{i}"), 10, None)
    assert len(t._tokens) == 100


def test_forgetting_a_purged_user_drops_their_counts_and_baselines_only():
    clock = Clock()
    t = tracker(
        clock,
        repeated_blocks={"count": 3, "window": "10m"},
        usage_spike={"factor": 5, "min_tokens": 1000, "min_samples": 5},
    )
    bob = Subject(user="bob")
    for who in (ALICE, bob):
        for _ in range(2):
            t.on_request(who, blocked=True, secrets=0)
        for _ in range(20):
            t.on_usage(who, 800, None)
    t.forget_user("alice")
    # Alice starts again from nothing: a third block is her first, and no baseline to spike.
    assert t.on_request(ALICE, blocked=True, secrets=0) == []
    assert t.on_usage(ALICE, 9000, None) == []
    # Bob's history stays.
    assert t.on_request(bob, blocked=True, secrets=0)
    assert t.on_usage(bob, 9000, None)
