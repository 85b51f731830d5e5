"""The writer: batches become segments, restarts continue, failures are survived."""

from __future__ import annotations

import time

import duckdb
import pytest

from tests.store.helpers import FAST, request_event, started
from tests.support.eventually import eventually
from warden.store import reader
from warden.store import writer as writer_module
from warden.store.event import AuditEvent
from warden.store.layout import StoreLayout
from warden.store.lock import StoreLocked
from warden.store.segments import SegmentName, list_segments, live_segments
from warden.store.writer import WriterSettings


def count(data_dir, where: str = "true") -> int:
    con = reader.connect(data_dir)
    try:
        return int(con.execute(f"SELECT count(*) FROM events WHERE {where}").fetchone()[0])
    finally:
        con.close()


def test_flushed_events_are_readable_with_every_field(tmp_path):
    writer = started(tmp_path)
    writer.append(
        request_event(1, groups=["eng", "oncall"], finding_types=["EMAIL_ADDRESS"], time=1e9)
    )
    assert writer.flush()
    writer.close()
    [event] = reader.read_events(tmp_path)
    assert event["seq"] == 1
    assert event["time"] == "2001-09-09T01:46:40"  # UTC
    assert event["groups"] == ["eng", "oncall"]
    assert event["decision"] == {"action": "allow", "rule_id": None, "reason": "default"}
    assert event["finding_types"] == ["EMAIL_ADDRESS"]
    assert event["alert_ids"] == []


def test_events_are_flushed_within_the_interval_without_being_asked(tmp_path):
    writer = started(tmp_path, WriterSettings(flush_interval_s=0.3))
    acks: list[tuple[int, int]] = []
    writer.add_flush_listener(lambda seq, n: acks.append((seq, n)))
    for i in range(10):
        writer.append(request_event(i))
    started_at = time.monotonic()
    eventually(lambda: acks, timeout=2)
    assert time.monotonic() - started_at < 1.0
    assert acks == [(10, 10)]
    assert count(tmp_path) == 10
    writer.close()


def test_a_full_batch_is_flushed_before_the_interval(tmp_path):
    writer = started(tmp_path, WriterSettings(flush_interval_s=60, max_batch=100))
    for i in range(250):
        writer.append(request_event(i))
    eventually(lambda: count(tmp_path) >= 200, timeout=5)
    writer.close()  # the rest is written at close
    assert count(tmp_path) == 250


def test_a_restart_continues_the_numbering(tmp_path):
    writer = started(tmp_path)
    writer.append(request_event(1))
    writer.close()
    writer = started(tmp_path)
    writer.append(request_event(2))
    writer.close()
    assert [e["seq"] for e in reader.read_events(tmp_path)] == [1, 2]
    numbers = [s.name.lo for s in list_segments(StoreLayout(tmp_path).events_dir)]
    assert numbers == sorted(set(numbers))


def test_an_empty_store_is_readable_and_has_the_catalog(tmp_path):
    started(tmp_path).close()
    assert count(tmp_path) == 0
    con = duckdb.connect(str(tmp_path / "warden.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
    con.close()


def test_a_torn_temp_file_and_a_corrupt_segment_do_not_break_the_store(tmp_path):
    writer = started(tmp_path)
    writer.append(request_event(1))
    writer.close()
    events_dir = StoreLayout(tmp_path).events_dir
    torn = events_dir / (SegmentName(90, 90, 0).filename + ".tmp")
    torn.write_bytes(b"PAR1 half written")
    corrupt = events_dir / SegmentName(91, 91, 0).filename
    corrupt.write_bytes(b"not parquet at all")
    writer = started(tmp_path)
    writer.append(request_event(2))
    writer.close()
    assert not torn.exists()
    assert not corrupt.exists()
    assert (StoreLayout(tmp_path).quarantine_dir / corrupt.name).exists()
    assert count(tmp_path) == 2


def test_a_second_writer_on_the_same_store_is_refused(tmp_path):
    writer = started(tmp_path)
    with pytest.raises(StoreLocked, match="another Warden process"):
        started(tmp_path, WriterSettings(lock_timeout_s=0.1))
    writer.close()
    started(tmp_path).close()  # the lock is released at close


def test_an_unwritable_store_turns_unhealthy_keeps_the_events_and_recovers(tmp_path):
    writer = started(tmp_path)
    health: list[tuple[bool, str | None]] = []
    writer.add_health_listener(lambda ok, error: health.append((ok, error)))
    events_dir = StoreLayout(tmp_path).events_dir
    # Root ignores permissions, so break the store the way a lost mount would: the
    # directory is gone and a file sits in its place.
    moved = tmp_path / "events.moved"
    events_dir.rename(moved)
    events_dir.write_text("not a directory")
    writer.append(request_event(1))
    assert writer.flush() is False
    assert writer.healthy is False
    assert writer.error
    assert health and health[0][0] is False
    assert writer.pending == 1
    events_dir.unlink()
    moved.rename(events_dir)
    writer.append(request_event(2))
    assert writer.flush() is True
    assert writer.healthy is True
    assert health[-1] == (True, None)
    writer.close()
    assert [e["id"] for e in reader.read_events(tmp_path)] == ["req-1", "req-2"]


def test_a_value_of_the_wrong_type_does_not_cost_the_batch(tmp_path):
    writer = started(tmp_path)
    writer.append(request_event(1))
    writer.append(request_event(2, status="not a number"))  # type: ignore[arg-type]
    writer.append(request_event(3, latency_ms="12.5"))  # type: ignore[arg-type]
    writer.close()
    events = reader.read_events(tmp_path)
    assert [(e["id"], e["status"], e["latency_ms"]) for e in events] == [
        ("req-1", 200, None),
        ("req-2", None, None),
        ("req-3", 200, 12.5),
    ]


def test_text_that_is_not_valid_unicode_is_stored_not_dropped(tmp_path):
    """A byte that was not UTF-8 (read with surrogateescape) or a half surrogate pair in any
    text field once cost the event: a request forwarded with no record."""
    writer = started(tmp_path)
    writer.append(
        request_event(
            1,
            prompt_text="prompt=hi\udcff",
            path="/api/x?q=\ud800",
            findings={"items": [{"preview": "ab\udcff"}]},
            finding_types=["EMAIL\udcff"],
        )
    )
    writer.close()
    [event] = reader.read_events(tmp_path)
    assert event["prompt_text"] == "prompt=hi?" and event["path"] == "/api/x?q=?"
    assert event["finding_types"] == ["EMAIL?"]


def test_a_backlog_beyond_the_bound_drops_new_events_rather_than_memory(tmp_path):
    writer = started(tmp_path, WriterSettings(flush_interval_s=60, max_pending=5))
    for i in range(8):
        writer.append(request_event(i))
    assert writer.pending == 5
    writer.close()
    assert count(tmp_path) == 5


def test_compaction_merges_small_segments_and_readers_never_count_twice(tmp_path):
    writer = started(tmp_path, FAST)
    for batch in range(10):
        for i in range(3):
            writer.append(request_event(batch * 3 + i))
        writer.flush()
    events_dir = StoreLayout(tmp_path).events_dir
    assert len(live_segments(list_segments(events_dir))) == 11  # 10 + the empty start-up one
    catalog = duckdb.connect(str(tmp_path / "warden.duckdb"), read_only=True)
    assert writer.compact() >= 1
    # Superseded files are still on disk (grace period): neither reader counts them.
    assert len(list_segments(events_dir)) > len(live_segments(list_segments(events_dir)))
    assert count(tmp_path) == 30
    assert catalog.execute("SELECT count(*), count(DISTINCT seq) FROM events").fetchone() == (
        30,
        30,
    )
    assert len(live_segments(list_segments(events_dir))) < 11
    assert writer.collect_garbage(now=time.time() + 3601) > 0
    assert count(tmp_path) == 30
    assert catalog.execute("SELECT count(*) FROM events").fetchone() == (30,)
    catalog.close()
    writer.close()


def test_visits_and_admin_events_share_the_table(tmp_path):
    writer = started(tmp_path)
    writer.append(AuditEvent(type="visit", host="chatgpt.com", app="chatgpt-web", decrypted=False))
    writer.close()
    [visit] = reader.read_events(tmp_path)
    assert (visit["type"], visit["decrypted"], visit["input_tokens"]) == ("visit", False, None)


def test_the_catalog_is_rebuilt_while_a_reader_holds_it_open(tmp_path):
    started(tmp_path).close()
    holder = duckdb.connect(str(tmp_path / "warden.duckdb"), read_only=True)
    writer = started(tmp_path)  # rewrites warden.duckdb under another name, then renames
    writer.append(request_event(1))
    writer.close()
    assert holder.execute("SELECT count(*) FROM events").fetchone() == (1,)
    holder.close()


def test_flush_and_close_write_a_backlog_larger_than_one_batch(tmp_path):
    writer = started(tmp_path, WriterSettings(flush_interval_s=60, max_batch=100))
    acks: list[int] = []
    writer.add_flush_listener(lambda seq, n: acks.append(n))
    for i in range(350):
        writer.append(request_event(i))
    assert writer.flush()
    assert count(tmp_path) == 350
    assert max(acks) <= 100  # as segments of at most one batch
    for i in range(250):
        writer.append(request_event(i))
    writer.close()
    assert count(tmp_path) == 600


def test_the_arrow_batch_and_the_appender_fallback_store_the_same_rows(tmp_path, monkeypatch):
    events = [
        request_event(1, groups=["eng"], finding_types=["EMAIL_ADDRESS", "PERSON"], time=1e9),
        request_event(2, cost_usd=0.0125, blocked=True, alert_ids=["a1"], stream=None),
        AuditEvent(type="visit", id="v-1", host="claude.ai", decrypted=False),
    ]

    def store(data_dir):
        writer = started(data_dir)
        for event in events:
            writer.append(event)
        writer.close()
        return reader.read_events(data_dir)

    fast = store(tmp_path / "arrow")

    real = writer_module.arrow_batch

    def refuse(rows):
        if rows:  # the empty warm-up batch at start goes through
            raise writer_module.BadBatch("forced")
        return real(rows)

    monkeypatch.setattr(writer_module, "arrow_batch", refuse)
    assert store(tmp_path / "appender") == fast
    assert [e["id"] for e in fast] == ["req-1", "req-2", "v-1"]
