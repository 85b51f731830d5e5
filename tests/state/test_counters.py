"""Quota counters in the state database: kept across a restart, atomic across processes,
negative amounts give a reservation back."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warden.policy import Policy, PolicyContext
from warden.policy.quotas import QuotaEnforcer
from warden.state.counters import SqliteCounters
from warden.state.db import StateDB

T0 = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)
POLICY = Policy.model_validate(
    {"quotas": [{"id": "monthly", "scope": "user", "budget_usd": 5, "period": "month"}]}
)
ALICE = PolicyContext(user="alice", groups=())


def test_a_monthly_budget_spent_before_a_restart_is_still_spent_after_it(tmp_path):
    db = StateDB.for_data_dir(tmp_path)
    QuotaEnforcer(SqliteCounters(db)).record_usage(POLICY, ALICE, 900, 5.0, T0)
    db.close()

    restarted = StateDB.for_data_dir(tmp_path)
    breach = QuotaEnforcer(SqliteCounters(restarted)).admit(
        POLICY, ALICE, 10, T0 + timedelta(days=3)
    )
    restarted.close()
    assert breach is not None and breach.quota_id == "monthly" and breach.used == 5.0


def test_add_returns_the_new_total_and_takes_negative_amounts(tmp_path):
    counters = SqliteCounters(StateDB.for_data_dir(tmp_path))
    assert counters.get("alice:requests", 60.0) == 0.0
    assert counters.add("alice:requests", 60.0, 1, 120.0) == 1.0
    assert counters.add("alice:requests", 60.0, 1, 120.0) == 2.0
    assert counters.add("alice:requests", 60.0, -1, 120.0) == 1.0  # a reservation released
    assert counters.get("alice:requests", 60.0) == 1.0
    assert counters.get("alice:requests", 120.0) == 0.0  # another window


def test_ended_windows_are_dropped(tmp_path):
    counters = SqliteCounters(StateDB.for_data_dir(tmp_path))
    counters.add("k", 0.0, 5, 60.0)
    counters.add("k", 60.0, 3, 120.0)
    assert counters.expire(now=90.0) == 1
    assert counters.entries(now=90.0) == [("k", 60.0, 3.0, 120.0)]


_ADDER = """
import sys
from pathlib import Path
from warden.state.counters import SqliteCounters
from warden.state.db import StateDB
counters = SqliteCounters(StateDB.for_data_dir(Path(sys.argv[1])))
for _ in range(int(sys.argv[2])):
    counters.add("team:requests", 0.0, 1, 9e9)
    counters.add("team:requests", 0.0, -0.5, 9e9)
"""


def test_adds_from_several_processes_are_never_lost(tmp_path):
    StateDB.for_data_dir(tmp_path).close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _ADDER, str(tmp_path), "200"], cwd=Path(__file__).parents[2]
        )
        for _ in range(3)
    ]
    assert all(p.wait(120) == 0 for p in procs)
    assert SqliteCounters(StateDB.for_data_dir(tmp_path)).get("team:requests", 0.0) == 300.0
