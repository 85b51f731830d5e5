"""Retention and privacy purges remove events atomically and leave a record of themselves."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.store.helpers import request_event, started
from warden.state.db import StateDB
from warden.state.requests import SqliteAdminRequests
from warden.store import reader
from warden.store.layout import StoreLayout
from warden.store.requests import AdminRequest, ask
from warden.store.segments import list_segments


def test_a_user_purge_removes_only_that_users_events_and_is_recorded(tmp_path):
    writer = started(tmp_path)
    for i in range(20):
        writer.append(request_event(i, user="alice" if i % 2 else "bob"))
    writer.append(request_event(99, user=None))  # no user: must survive a purge
    writer.flush()
    writer.append(request_event(100, user="alice"))  # still queued when the purge starts
    result = writer.purge_user("alice", actor="dpo@example.com")
    writer.close()
    assert (result.events_removed, result.segments_rewritten) == (11, 2)
    events = reader.read_events(tmp_path)
    assert not [e for e in events if e["user"] == "alice"]
    assert len([e for e in events if e["type"] == "request"]) == 11
    [admin] = [e for e in events if e["type"] == "admin"]
    assert admin["actor"] == "dpo@example.com"
    assert admin["action"] == "purge_user"
    assert admin["details"] == {
        "target_user": "alice",
        "events_removed": 11,
        "segments_rewritten": 2,
        "alerts_removed": 0,  # the alert files are purged by the caller (warden logs purge)
    }


def test_purged_data_leaves_the_disk_after_the_grace_period(tmp_path):
    writer = started(tmp_path)
    writer.append(request_event(1, user="alice", prompt_text="secret plans"))
    writer.flush()
    writer.purge_user("alice", actor="dpo")
    events_dir = StoreLayout(tmp_path).events_dir
    assert any(b"secret plans" in p.path.read_bytes() for p in list_segments(events_dir))
    writer.collect_garbage(now=time.time() + writer.settings.grace_s + 1)
    writer.close()
    assert not any(b"secret plans" in p.path.read_bytes() for p in list_segments(events_dir))


def test_retention_removes_old_events_but_never_the_purge_records(tmp_path):
    now = datetime(2026, 11, 22, tzinfo=UTC)
    writer = started(tmp_path, retention_days=lambda: 30)
    old = (now - timedelta(days=31)).timestamp()
    recent = (now - timedelta(days=29)).timestamp()
    for i in range(5):
        writer.append(request_event(i, time=old))
    writer.append(request_event(10, time=recent))
    writer.flush()
    writer.purge_user("nobody", actor="dpo")  # an admin event, dated now
    result = writer.apply_retention(now=now + timedelta(days=400))  # everything is "old"
    writer.close()
    assert result.events_removed == 6
    events = reader.read_events(tmp_path)
    assert {e["action"] for e in events if e["type"] == "admin"} == {"purge_user", "retention"}
    assert not [e for e in events if e["type"] == "request"]
    [retention] = [e for e in events if e["action"] == "retention"]
    assert retention["actor"] == "warden"
    assert retention["details"]["retention_days"] == 30
    assert retention["details"]["events_removed"] == 6


def test_retention_keeps_events_inside_the_window(tmp_path):
    now = datetime.now(UTC)
    writer = started(tmp_path, retention_days=lambda: 30)
    writer.append(request_event(1, time=(now - timedelta(days=31)).timestamp()))
    writer.append(request_event(2, time=(now - timedelta(days=1)).timestamp()))
    writer.flush()
    assert writer.apply_retention(now=now).events_removed == 1
    writer.close()
    assert [e["id"] for e in reader.read_events(tmp_path) if e["type"] == "request"] == ["req-2"]


def test_the_running_writer_carries_out_a_purge_request_from_another_process(tmp_path):
    writer = started(tmp_path)
    writer.append(request_event(1, user="carol"))
    writer.append(request_event(2, user="dave"))
    requests = SqliteAdminRequests(StateDB.for_data_dir(tmp_path))
    result = ask(requests, AdminRequest("purge_user", "dpo", {"user": "carol"}), timeout_s=10)
    writer.close()
    assert result == {"ok": True, "events_removed": 1, "segments_rewritten": 1}
    assert {e["user"] for e in reader.read_events(tmp_path) if e["type"] == "request"} == {"dave"}
