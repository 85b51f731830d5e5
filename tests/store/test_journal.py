"""The request journal: a record on disk before a request leaves, gone once its final event is
stored, and folded into the store exactly once after a crash."""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

import pytest

from tests.store.helpers import request_event, started
from tests.support.eventually import eventually
from warden.store import reader
from warden.store.journal import (
    INTERRUPTED,
    RequestJournal,
    journal_files,
    read_journal,
)
from warden.store.layout import StoreLayout


def journal_dir(data_dir: Path) -> Path:
    return StoreLayout(data_dir).journal_dir


def request_events(data_dir: Path) -> list[dict]:
    return reader.read_events(data_dir, "type = 'request'")


def left_by_a_killed_proxy(data_dir: Path, *events) -> list[Path]:  # type: ignore[no-untyped-def]
    """Journal files as a process that died without settling them leaves them."""
    journal = RequestJournal(journal_dir(data_dir))
    for event in events:
        journal.record(event)
    return journal_files(journal_dir(data_dir))


def test_a_record_is_on_disk_when_journal_returns_and_gone_once_its_final_event_is_flushed(
    tmp_path,
):
    writer = started(tmp_path)
    writer.journal(request_event(1, id="req-1", status=None, prompt_text="[user] hello"))
    [path] = journal_files(journal_dir(tmp_path))
    contents = read_journal([path])
    assert contents.events["req-1"].prompt_text == "[user] hello"
    assert contents.events["req-1"].status is None
    writer.append(request_event(1, id="req-1"))  # the answer came
    assert writer.flush()
    assert journal_files(journal_dir(tmp_path)) == []
    writer.close()
    assert [e["id"] for e in request_events(tmp_path)] == ["req-1"]


def test_journal_files_and_their_directory_are_private(tmp_path):
    writer = started(tmp_path)
    writer.journal(request_event(1))
    [path] = journal_files(journal_dir(tmp_path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    writer.close()


def test_files_rotate_and_each_is_deleted_once_every_request_in_it_is_stored(tmp_path):
    journal = RequestJournal(tmp_path / "journal", rotate_s=0.05)
    journal.record(request_event(1))
    journal.record(request_event(2))
    time.sleep(0.1)
    journal.record(request_event(3))  # too old: a new file
    first, second = journal_files(tmp_path / "journal")
    journal.settle(["req-1"])
    assert first.exists()  # req-2 is still in flight
    journal.settle(["req-2", "some-id-never-journaled"])
    assert not first.exists() and second.exists()
    journal.settle(["req-3"])
    assert journal_files(tmp_path / "journal") == []
    assert journal.in_flight == 0


def test_a_file_rotates_past_its_size_limit(tmp_path):
    journal = RequestJournal(tmp_path / "journal", rotate_s=3600, max_bytes=2000)
    for i in range(6):
        journal.record(request_event(i, prompt_text="x" * 500))
    assert len(journal_files(tmp_path / "journal")) >= 2
    journal.settle(f"req-{i}" for i in range(6))
    assert journal_files(tmp_path / "journal") == []


def test_a_request_still_in_flight_at_a_clean_stop_is_recorded_as_interrupted_at_the_next_start(
    tmp_path,
):
    writer = started(tmp_path)
    writer.journal(request_event(1, status=None))  # forwarded, the answer never came
    writer.journal(request_event(2, status=None))
    writer.append(request_event(2))
    writer.close()
    started(tmp_path).close()
    events = {e["id"]: e for e in request_events(tmp_path)}
    assert events["req-1"]["error"] == INTERRUPTED
    assert events["req-1"]["status"] is None
    assert events["req-2"]["error"] is None and events["req-2"]["status"] == 200
    assert len(events) == 2
    assert journal_files(journal_dir(tmp_path)) == []


def test_recovery_adds_only_the_requests_the_store_does_not_have(tmp_path, caplog):
    # The crash came after the final events of 1 and 2 were flushed, before their journal
    # file was deleted; 3 to 5 had left and were still waiting for their answers.
    writer = started(tmp_path)
    writer.append(request_event(1))
    writer.append(request_event(2))
    writer.close()
    left_by_a_killed_proxy(
        tmp_path,
        *(request_event(i, status=None, prompt_text=f"[user] number {i}") for i in range(1, 6)),
    )
    with caplog.at_level(logging.WARNING, "warden.store"):
        writer = started(tmp_path)
    writer.close()
    events = request_events(tmp_path)
    assert sorted(e["id"] for e in events) == [f"req-{i}" for i in range(1, 6)]  # once each
    by_id = {e["id"]: e for e in events}
    assert [by_id[f"req-{i}"]["error"] for i in (1, 2)] == [None, None]
    for i in (3, 4, 5):
        assert by_id[f"req-{i}"]["error"] == INTERRUPTED
        assert by_id[f"req-{i}"]["prompt_text"] == f"[user] number {i}"
        assert by_id[f"req-{i}"]["user"] == f"user{i % 5}"
    assert "recorded 3 requests that were forwarded before the proxy stopped" in caplog.text
    assert journal_files(journal_dir(tmp_path)) == []
    started(tmp_path).close()  # a second restart adds nothing
    assert len(request_events(tmp_path)) == 5


def test_a_record_torn_by_the_kill_is_skipped_with_a_warning_and_the_rest_recovered(
    tmp_path, caplog
):
    [path] = left_by_a_killed_proxy(tmp_path, request_event(1), request_event(2))
    with path.open("ab") as f:
        f.write(b'["request",1700000000.0,"req-3","us')  # killed in the middle of write()
    with caplog.at_level(logging.WARNING, "warden.store"):
        writer = started(tmp_path)
    assert writer.healthy
    writer.close()
    assert sorted(e["id"] for e in request_events(tmp_path)) == ["req-1", "req-2"]
    assert "cut short" in caplog.text
    assert journal_files(journal_dir(tmp_path)) == []


def test_damaged_journal_files_never_stop_the_start(tmp_path, caplog):
    directory = journal_dir(tmp_path)
    [path] = left_by_a_killed_proxy(tmp_path, request_event(1))
    with path.open("ab") as f:
        f.write(b"not json\n[1, 2]\n")
    (directory / "j-000000000007.jsonl").write_bytes(b"garbage header\n[1]\n")
    (directory / "j-000000000008.jsonl").write_bytes(b"")  # killed before its header
    with caplog.at_level(logging.WARNING, "warden.store"):
        writer = started(tmp_path)
    writer.journal(request_event(9))  # the new process journals in a new file
    writer.append(request_event(9))
    writer.close()
    assert sorted(e["id"] for e in request_events(tmp_path)) == ["req-1", "req-9"]
    assert "unreadable journal record" in caplog.text
    assert "not a request journal" in caplog.text


def test_recovery_does_not_bring_back_the_requests_of_a_person_purged_since(tmp_path):
    writer = started(tmp_path)
    writer.append(request_event(1, user="bob"))
    writer.flush()
    # bob's record outlived the flush (the file held a request still in flight), then the
    # purge ran, then the proxy was killed.
    left_by_a_killed_proxy(tmp_path, request_event(1, user="bob", time=time.time() - 1))
    writer.purge_user("bob", actor="dpo")
    writer.close()
    started(tmp_path).close()
    assert request_events(tmp_path) == []


def test_a_journal_that_cannot_be_written_makes_the_store_unhealthy_until_it_can(tmp_path):
    writer = started(tmp_path)
    heard: list[tuple[bool, str | None]] = []
    writer.add_health_listener(lambda ok, error: heard.append((ok, error)))
    blocker = journal_dir(tmp_path)
    blocker.write_text("not a directory")  # root ignores permissions; a lost mount does not
    with pytest.raises(OSError):
        writer.journal(request_event(1))
    assert not writer.healthy
    assert writer.error is not None and writer.error.startswith("request journal:")
    assert heard and heard[-1][0] is False
    blocker.unlink()
    eventually(lambda: writer.healthy, timeout=5)  # the flush thread probes it
    assert heard[-1] == (True, None)
    writer.journal(request_event(2))
    writer.close()


def test_a_failed_write_leaves_no_partial_line_behind(tmp_path, monkeypatch):
    journal = RequestJournal(tmp_path / "journal", rotate_s=3600)
    journal.record(request_event(1))
    real_write = os.write
    calls = {"n": 0}

    def half_then_full(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError):
        journal.record(request_event(2))
    monkeypatch.setattr(os, "write", real_write)
    journal.record(request_event(3))
    contents = read_journal(journal_files(tmp_path / "journal"))
    assert sorted(contents.events) == ["req-1", "req-3"]
    assert contents.skipped == 0


def test_a_websocket_messages_event_is_recovered_whole() -> None:
    """A message has no answer to wait for: its journaled event is the whole record."""
    from warden.store.event import AuditEvent
    from warden.store.journal import WEBSOCKET_MESSAGE, as_interrupted

    message = AuditEvent(type="request", id="m1", method=WEBSOCKET_MESSAGE, action="redact")
    assert as_interrupted(message).error is None
    request = AuditEvent(type="request", id="r1", method="POST", status=200)
    assert as_interrupted(request).error is not None and request.status is None
