"""`warden logs`: tail, query, export and purge, with and without a running writer."""

from __future__ import annotations

import csv
import json
import time
from datetime import UTC, datetime

import duckdb
import pytest

from tests.alerts.factories import secret_alert
from tests.store.helpers import request_event, started
from warden.alerts.deliveries import NewDelivery
from warden.cli import main
from warden.state.alerts import SqliteAlertStore
from warden.state.db import StateDB
from warden.state.deliveries import SqliteDeliveryQueue
from warden.store import reader

DAY1 = datetime(2026, 11, 1, 12, tzinfo=UTC).timestamp()
DAY2 = datetime(2026, 11, 2, 12, tzinfo=UTC).timestamp()


@pytest.fixture
def store(tmp_path):
    writer = started(tmp_path)
    writer.append(request_event(1, user="alice", time=DAY1, model="gpt-4o"))
    writer.append(request_event(2, user="bob", time=DAY2, action="block", rule_id="no-gpt5"))
    writer.append(
        request_event(3, user="alice", time=DAY2, usage_source="estimated", cost_usd=None)
    )
    writer.close()
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_query_prints_a_table_or_json(store, capsys):
    sql = 'SELECT "user", count(*) AS n FROM events GROUP BY ALL ORDER BY 1'
    code, out = run(capsys, "logs", "query", sql, "--data-dir", str(store))
    assert code == 0
    assert out.splitlines()[0].split() == ["user", "n"]
    assert out.splitlines()[2].split() == ["alice", "2"]
    assert "(2 rows)" in out
    code, out = run(capsys, "logs", "query", sql, "--json", "--data-dir", str(store))
    assert json.loads(out) == [{"user": "alice", "n": 2}, {"user": "bob", "n": 1}]


def test_query_reports_bad_sql(store, capsys):
    assert main(["logs", "query", "SELEC nonsense", "--data-dir", str(store)]) == 1
    assert "Parser Error" in capsys.readouterr().err


def test_tail_shows_the_latest_events(store, capsys):
    code, out = run(capsys, "logs", "tail", "-n", "2", "--data-dir", str(store))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert "bob" in lines[0] and "block (no-gpt5)" in lines[0]
    assert "tokens ~10/~5" in lines[1]  # estimated counts are marked
    code, out = run(capsys, "logs", "tail", "-n", "1", "--json", "--data-dir", str(store))
    assert json.loads(out)["seq"] == 3


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_writes_each_format_and_honours_since_and_until(store, capsys, tmp_path, fmt):
    out_file = tmp_path / f"out.{fmt}"
    code, out = run(
        capsys,
        "logs", "export", "--format", fmt, "--out", str(out_file),
        "--since", "2026-11-02", "--until", "2026-11-03T00:00:00",
        "--data-dir", str(store),
    )  # fmt: skip
    assert code == 0 and "2 events" in out
    if fmt == "csv":
        rows = list(csv.DictReader(out_file.open()))
        ids = [r["id"] for r in rows]
    elif fmt == "jsonl":
        ids = [json.loads(line)["id"] for line in out_file.read_text().splitlines()]
    else:
        ids = [r[0] for r in duckdb.sql(f"SELECT id FROM '{out_file}' ORDER BY seq").fetchall()]
    assert ids == ["req-2", "req-3"]


def test_export_understands_ages(store, capsys, tmp_path):
    out_file = tmp_path / "recent.jsonl"
    code, out = run(
        capsys, "logs", "export", "--format", "jsonl", "--out", str(out_file), "--since", "1d",
        "--data-dir", str(store),
    )  # fmt: skip
    assert code == 0 and out.strip().endswith("0 events (jsonl)")


def test_purge_without_a_proxy_runs_in_process_and_is_recorded(store, capsys):
    db = StateDB.for_data_dir(store)
    proxy_alerts = SqliteAlertStore(db)
    for user in ("alice", "bob"):
        alert = secret_alert(user=user)
        proxy_alerts.record_alert(alert)
        now = time.time()
        SqliteDeliveryQueue(db).enqueue(
            [NewDelivery(alert.id, "soc", "alert", alert.to_dict(), now, now + 60)], 10
        )
    code, out = run(
        capsys, "logs", "purge", "--user", "alice", "--yes", "--actor", "dpo",
        "--data-dir", str(store),
    )  # fmt: skip
    assert code == 0
    assert "removed 2 events of user 'alice'" in out and "and 1 alerts about them" in out
    events = reader.read_events(store)
    assert [e["user"] for e in events if e["type"] == "request"] == ["bob"]
    [admin] = [e for e in events if e["type"] == "admin"]
    assert (admin["actor"], admin["details"]["target_user"]) == ("dpo", "alice")
    assert admin["details"]["alerts_removed"] == 1
    [left] = proxy_alerts.alerts()
    assert left.alert["user"] == "bob" and len(left.deliveries) == 1
    assert proxy_alerts.purge_user("alice") == 0


def test_purge_with_a_running_proxy_is_carried_out_by_its_writer(store, capsys):
    writer = started(store)  # stands in for the proxy: it holds the store's lock
    told: list[str] = []

    def broken_listener(user: str) -> None:
        raise RuntimeError("a listener's failure must not undo or hide the purge")

    writer.add_purge_listener(broken_listener)
    writer.add_purge_listener(told.append)  # what the proxy's alerting hears
    try:
        code, out = run(capsys, "logs", "purge", "--user", "bob", "--yes", "--data-dir", str(store))
    finally:
        writer.close()
    assert code == 0 and "removed 1 events" in out
    assert "bob" not in {e["user"] for e in reader.read_events(store) if e["type"] == "request"}
    assert told == ["bob"]


def test_purge_asks_for_confirmation_without_a_terminal(store, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["logs", "purge", "--user", "alice", "--data-dir", str(store)]) == 1
    assert "--yes" in capsys.readouterr().err
