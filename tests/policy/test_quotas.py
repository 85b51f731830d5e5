"""Quotas and budgets over fixed windows, driven by an injected clock."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from warden.policy import Policy, PolicyContext
from warden.policy.counters import InMemoryCounters
from warden.policy.quotas import QuotaBreach, QuotaEnforcer, QuotaReservation

T0 = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


def _policy(*quotas: dict[str, object], timezone: str = "UTC") -> Policy:
    return Policy.model_validate({"timezone": timezone, "quotas": list(quotas)})


def _ctx(user: str = "alice", groups: tuple[str, ...] = ("eng",)) -> PolicyContext:
    return PolicyContext(user=user, groups=groups)


def test_request_limit_per_user_resets_at_the_window_boundary():
    policy = _policy({"id": "rpm", "scope": "user", "requests": 3, "window": "1m"})
    quotas = QuotaEnforcer()
    for second in range(3):
        assert _admitted(quotas.admit(policy, _ctx(), 0, T0 + timedelta(seconds=second)))
    breach = quotas.admit(policy, _ctx(), 0, T0 + timedelta(seconds=30))
    assert breach is not None
    assert (breach.quota_id, breach.metric, breach.limit, breach.used) == ("rpm", "requests", 3, 3)
    assert breach.resets_at == T0 + timedelta(minutes=1)
    assert breach.retry_after(T0 + timedelta(seconds=30)) == 30
    assert "Quota 'rpm' reached for user alice: 3 requests" in breach.describe(T0)
    # Another user has their own counter; the next window starts from zero.
    assert _admitted(quotas.admit(policy, _ctx(user="bob"), 0, T0 + timedelta(seconds=30)))
    assert _admitted(quotas.admit(policy, _ctx(), 0, T0 + timedelta(minutes=1)))


def test_a_refused_request_does_not_count():
    policy = _policy({"id": "rpm", "requests": 1, "window": "1m"})
    quotas = QuotaEnforcer()
    assert _admitted(quotas.admit(policy, _ctx(), 0, T0))
    for _ in range(5):
        assert not _admitted(quotas.admit(policy, _ctx(), 0, T0))
    assert quotas.state(policy, _ctx(), T0)[0]["used"] == 1


def test_token_limit_counts_prompt_then_answer_tokens():
    policy = _policy({"id": "tph", "tokens": 1000, "window": "1h"})
    quotas = QuotaEnforcer()
    assert _admitted(quotas.admit(policy, _ctx(), 400, T0))
    quotas.record_usage(policy, _ctx(), output_tokens=500, cost_usd=None, now=T0)
    # 900 used: a 200-token prompt would pass the limit.
    breach = quotas.admit(policy, _ctx(), 200, T0)
    assert breach is not None and breach.metric == "tokens" and breach.used == 900
    assert _admitted(quotas.admit(policy, _ctx(), 100, T0))


def test_group_quota_is_shared_by_the_team_and_ignores_others():
    policy = _policy(
        {"id": "team", "scope": "group", "groups": ["eng"], "requests": 2, "window": "1d"}
    )
    quotas = QuotaEnforcer()
    assert _admitted(quotas.admit(policy, _ctx("alice"), 0, T0))
    assert _admitted(quotas.admit(policy, _ctx("bob"), 0, T0))
    breach = quotas.admit(policy, _ctx("carol"), 0, T0)
    assert breach is not None and breach.subject == "group eng"
    assert _admitted(quotas.admit(policy, _ctx("dave", ("sales",)), 0, T0))


def test_everyone_quota_and_user_quota_limited_to_groups():
    policy = _policy(
        {"id": "org", "scope": "everyone", "requests": 2, "window": "1m"},
        {"id": "interns", "scope": "user", "groups": ["interns"], "requests": 1, "window": "1m"},
    )
    quotas = QuotaEnforcer()
    assert _admitted(quotas.admit(policy, _ctx("i1", ("interns",)), 0, T0))
    assert quotas.admit(policy, _ctx("i1", ("interns",)), 0, T0).quota_id == "interns"
    assert _admitted(quotas.admit(policy, _ctx("alice"), 0, T0))
    assert quotas.admit(policy, _ctx("bob"), 0, T0).quota_id == "org"


@pytest.mark.parametrize(
    ("period", "spend_at", "still_blocked_at", "reset_at", "timezone"),
    [
        ("day", T0, T0 + timedelta(hours=13), T0 + timedelta(hours=14), "UTC"),
        # Berlin's day ends at 23:00 UTC in November.
        (
            "day",
            T0,
            T0 + timedelta(hours=12, minutes=59),
            T0 + timedelta(hours=13),
            "Europe/Berlin",
        ),
        (
            "month",
            T0,
            datetime(2026, 11, 30, 23, 59, tzinfo=UTC),
            datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
            "UTC",
        ),
    ],
)
def test_budget_blocks_after_spend_until_the_period_ends(
    period, spend_at, still_blocked_at, reset_at, timezone
):
    policy = _policy(
        {"id": "budget", "scope": "group", "groups": ["eng"], "budget_usd": 5.0, "period": period},
        timezone=timezone,
    )
    quotas = QuotaEnforcer()
    assert _admitted(quotas.admit(policy, _ctx(), 0, spend_at))
    quotas.record_usage(policy, _ctx(), output_tokens=0, cost_usd=3.0, now=spend_at)
    assert _admitted(quotas.admit(policy, _ctx(), 0, spend_at))  # 3 of 5 spent
    quotas.record_usage(policy, _ctx(), output_tokens=0, cost_usd=2.5, now=spend_at)
    breach = quotas.admit(policy, _ctx("bob"), 0, still_blocked_at)
    assert breach is not None and breach.metric == "usd" and breach.used == pytest.approx(5.5)
    assert breach.resets_at == reset_at
    assert _admitted(quotas.admit(policy, _ctx(), 0, reset_at))


def _admitted(answer: QuotaBreach | QuotaReservation) -> bool:
    return isinstance(answer, QuotaReservation)


def test_a_released_reservation_gives_the_request_and_its_tokens_back() -> None:
    """A request refused after the policy stage (nothing left) does not use up the quota."""
    policy = _policy({"id": "two", "scope": "user", "requests": 2, "tokens": 300, "window": "1m"})
    counters = InMemoryCounters()
    quotas = QuotaEnforcer(counters)
    refused_later = quotas.admit(policy, _ctx(), 200, T0)
    assert isinstance(refused_later, QuotaReservation)
    refused_later.release()
    refused_later.release()  # a second release (two refusals) must not give back twice
    assert _admitted(quotas.admit(policy, _ctx(), 200, T0))
    forwarded = quotas.admit(policy, _ctx(), 100, T0)
    assert isinstance(forwarded, QuotaReservation)
    forwarded.commit()
    forwarded.release()  # too late: it left, it counts
    breach = quotas.admit(policy, _ctx(), 0, T0)
    assert isinstance(breach, QuotaBreach) and breach.metric == "requests"


def test_usage_only_ever_adds_to_a_quota() -> None:
    """A negative token count or cost in an answer must not give quota back."""
    policy = _policy(
        {"id": "tok", "scope": "user", "tokens": 100, "window": "1h"},
        {"id": "usd", "scope": "user", "budget_usd": 1.0, "period": "day"},
    )
    quotas = QuotaEnforcer()
    quotas.record_usage(policy, _ctx(), 100, 1.0, T0)
    quotas.record_usage(policy, _ctx(), -1_000_000, -50.0, T0)
    breach = quotas.admit(policy, _ctx(), 1, T0)
    assert isinstance(breach, QuotaBreach)


def test_each_anonymous_device_has_its_own_per_user_quota():
    """One anonymous device cannot use up the quota of every other anonymous person."""
    policy = _policy({"id": "rpm", "scope": "user", "requests": 1, "window": "1m"})
    quotas = QuotaEnforcer()
    laptop = PolicyContext(user="anonymous", client_ip="10.0.0.5")
    other = PolicyContext(user="anonymous", client_ip="10.0.0.6")
    assert _admitted(quotas.admit(policy, laptop, 0, T0))
    breach = quotas.admit(policy, laptop, 0, T0)
    assert isinstance(breach, QuotaBreach)
    assert "reached for anonymous user at 10.0.0.5: 1 requests" in breach.describe(T0)
    assert _admitted(quotas.admit(policy, other, 0, T0))


class _SharedCounters(InMemoryCounters):
    """A shared store as Redis or SQLite is: each add atomic. Its first `racers` reads wait
    for each other, so every racer has seen the room left before any has reserved."""

    def __init__(self, racers: int) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(racers, timeout=10)
        self._reads = 0

    def get(self, key: str, window_start: float) -> float:
        with self._lock:
            value = super().get(key, window_start)
            self._reads += 1
            first = self._reads <= self._barrier.parties
        if first:
            self._barrier.wait()
        return value

    def add(self, key: str, window_start: float, amount: float, expires_at: float) -> float:
        with self._lock:
            return super().add(key, window_start, amount, expires_at)


def test_requests_admitted_at_once_never_pass_the_limit_together() -> None:
    """A fleet sharing Redis admitted 34 of 60 concurrent requests on a quota of 20: each
    had seen room before any had reserved. The totals the atomic adds return decide."""
    policy = _policy({"id": "rpm", "scope": "user", "requests": 3, "tokens": 1000, "window": "1m"})
    counters = _SharedCounters(racers=8)
    quotas = QuotaEnforcer(counters)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: quotas.admit(policy, _ctx(), 10, T0), range(8)))
    assert sum(map(_admitted, answers)) == 3
    breaches = [a for a in answers if isinstance(a, QuotaBreach)]
    assert {(b.metric, b.limit, b.used) for b in breaches} == {("requests", 3, 3)}
    # The refused gave back what they had reserved: the three admitted are all that count.
    used = {s["metric"]: s["used"] for s in quotas.state(policy, _ctx(), T0)}
    assert used == {"requests": 3, "tokens": 30}
