"""Quota counters survive a restart through their snapshot file; a damaged file is refused
with a clear reason and kept, never half-read."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest

from warden.policy import Policy, PolicyContext
from warden.policy.counter_file import (
    FILE_NAME,
    CounterFileError,
    read_counters,
    set_aside,
    write_counters,
)
from warden.policy.counters import InMemoryCounters
from warden.policy.quotas import QuotaEnforcer

T0 = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)


def test_a_monthly_budget_spent_before_a_restart_is_still_spent_after_it(tmp_path) -> None:
    policy = Policy.model_validate(
        {"quotas": [{"id": "monthly", "scope": "user", "budget_usd": 5, "period": "month"}]}
    )
    alice = PolicyContext(user="alice", groups=())
    before = QuotaEnforcer(InMemoryCounters())
    before.record_usage(policy, alice, output_tokens=900, cost_usd=5.0, now=T0)
    assert isinstance(before.store, InMemoryCounters)
    write_counters(tmp_path / FILE_NAME, before.store.entries(T0.timestamp()))

    later = T0 + timedelta(days=3)
    after = QuotaEnforcer(InMemoryCounters(read_counters(tmp_path / FILE_NAME, later.timestamp())))
    breach = after.admit(policy, alice, 10, later)
    assert breach is not None and breach.quota_id == "monthly" and breach.used == 5.0
    # Next month the window has closed: nothing carried over.
    next_month = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert read_counters(tmp_path / FILE_NAME, next_month.timestamp()) == []


def test_round_trip_keeps_open_windows_and_drops_ended_ones(tmp_path) -> None:
    path = tmp_path / FILE_NAME
    entries = [("q:user:alice:requests", 100.0, 3.0, 200.0), ("q:all:usd", 0.0, 1.25, 150.0)]
    write_counters(path, entries)
    assert read_counters(path, 120.0) == entries
    assert read_counters(path, 160.0) == [entries[0]]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it names users
    assert not path.with_name(FILE_NAME + ".tmp").exists()


def test_no_file_yet_means_no_counters(tmp_path) -> None:
    assert read_counters(tmp_path / FILE_NAME, 0.0) == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "is not a quota counter file"),
        (json.dumps({"version": 9, "counters": []}), "unknown format version 9"),
        (json.dumps([1, 2]), "is not a quota counter file"),
        (json.dumps({"version": 1}), "is not a quota counter file"),
        (json.dumps({"version": 1, "counters": [["k", 0, -5, 10]]}), "bad counter row"),
        (json.dumps({"version": 1, "counters": [["k", 0, "NaN", 10]]}), "bad counter row"),
        (json.dumps({"version": 1, "counters": [[1, 0, 1, 10]]}), "bad counter row"),
        (json.dumps({"version": 1, "counters": [["k", 0, 1]]}), "bad counter row"),
    ],
)
def test_a_damaged_file_is_refused_with_the_reason(tmp_path, content: str, reason: str) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(content)
    with pytest.raises(CounterFileError, match=reason):
        read_counters(path, 0.0)


def test_a_refused_file_is_set_aside_with_its_content(tmp_path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text("{damaged")
    aside = set_aside(path)
    assert not path.exists()
    assert aside.parent == tmp_path and aside.name.startswith(FILE_NAME + ".unreadable-")
    assert aside.read_text() == "{damaged"


def test_counters_report_changes_so_a_saver_can_skip_idle_periods() -> None:
    counters = InMemoryCounters([("k", 0.0, 2.0, 60.0)])
    assert counters.changes == 0 and counters.get("k", 0.0) == 2.0
    assert counters.add("k", 0.0, 1.0, 60.0) == 3.0
    assert counters.changes == 1
    assert counters.entries(30.0) == [("k", 0.0, 3.0, 60.0)]
    assert counters.entries(60.0) == []
