"""One audit lake, many writers: each instance writes its own segments, readers see the union,
one maintainer purges for the whole lake, and every writer hears of the purge."""

from __future__ import annotations

import dataclasses
import time

import duckdb
import pytest

from tests.store.helpers import FAST, request_event, started
from tests.support.eventually import eventually
from warden import privacy
from warden.state import open_state
from warden.state.requests import SqliteAdminRequests
from warden.store import reader
from warden.store.catalog import write_catalog
from warden.store.layout import StoreLayout
from warden.store.lock import StoreLocked
from warden.store.requests import AdminRequest, ask
from warden.store.writer import StoreWriter, WriterSettings


def as_instance(name: str, settings: WriterSettings = FAST) -> WriterSettings:
    return dataclasses.replace(settings, instance=name)


def count(data_dir, where: str = "true") -> int:
    con = reader.connect(data_dir)
    try:
        return int(con.execute(f"SELECT count(*) FROM events WHERE {where}").fetchone()[0])
    finally:
        con.close()


def ask_purge(data_dir, user: str) -> dict:
    """What `warden logs purge` does while a proxy runs: ask whoever maintains the lake."""
    db = open_state(data_dir)
    try:
        return ask(SqliteAdminRequests(db), AdminRequest("purge_user", "dpo", {"user": user}))
    finally:
        db.close()


@pytest.fixture
def two_writers(tmp_path):
    writers = [started(tmp_path, as_instance(name)) for name in ("w1", "w2")]
    yield writers
    for writer in writers:
        writer.close()


def test_each_instance_writes_its_own_directory_and_readers_see_the_union(tmp_path, two_writers):
    w1, w2 = two_writers
    for i in range(30):
        (w1 if i % 2 else w2).append(request_event(i))
    assert w1.flush() and w2.flush()
    assert list((tmp_path / "events" / "w1").glob("seg-*.parquet"))
    assert list((tmp_path / "events" / "w2").glob("seg-*.parquet"))
    assert count(tmp_path) == 30
    assert sorted(e["id"] for e in reader.read_events(tmp_path)) == sorted(
        f"req-{i}" for i in range(30)
    )


def test_the_duckdb_shell_catalog_sees_every_instance_once(tmp_path, two_writers):
    w1, w2 = two_writers
    for i in range(10):
        w1.append(request_event(i))
        w2.append(request_event(100 + i))
    assert w1.flush() and w2.flush()
    w1.compact()  # superseded files stay on disk for the grace period: not counted twice
    write_catalog(tmp_path)
    shell = duckdb.connect(str(StoreLayout(tmp_path).catalog), read_only=True)
    try:
        assert shell.execute("SELECT count(*) FROM events WHERE type = 'request'").fetchone() == (
            20,
        )
    finally:
        shell.close()


def test_one_instance_name_is_one_process(tmp_path, two_writers):
    with pytest.raises(StoreLocked):
        settings = as_instance("w1", dataclasses.replace(FAST, lock_timeout_s=0))
        StoreWriter(tmp_path, settings).start()


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../up",
        "a/b",
        ".hidden",
        "quarantine",
        "x" * 65,
        "seg-000000000000-999999999999-g9999.parquet",
        "seg-1",
        "edge.tmp",
    ],
)
def test_an_instance_name_that_cannot_be_a_directory_is_refused(tmp_path, name):
    if name == "":
        StoreLayout(tmp_path, name)  # the unnamed instance
        return
    with pytest.raises(ValueError, match="instance name"):
        StoreLayout(tmp_path, name)


def test_one_maintainer_purges_a_person_from_every_instance(tmp_path, two_writers):
    w1, w2 = two_writers
    for i in range(20):
        (w1 if i % 2 else w2).append(request_event(i, user="mallory" if i % 4 == 0 else "bob"))
    assert w1.flush() and w2.flush()
    assert count(tmp_path, "\"user\" = 'mallory'") == 5
    eventually(lambda: w1.is_maintainer or w2.is_maintainer, timeout=5)
    assert not (w1.is_maintainer and w2.is_maintainer)

    answer = ask_purge(tmp_path, "mallory")

    assert answer["ok"] and answer["events_removed"] == 5
    assert count(tmp_path, "\"user\" = 'mallory'") == 0
    assert count(tmp_path, "\"user\" = 'bob'") == 15
    assert count(tmp_path, "action = 'purge_user'") == 1  # recorded once, for the lake


def test_every_writer_hears_of_a_purge_so_no_process_keeps_the_person_in_memory(
    tmp_path, two_writers
):
    w1, w2 = two_writers
    heard: dict[str, list[str]] = {"w1": [], "w2": []}
    w1.add_purge_listener(heard["w1"].append)
    w2.add_purge_listener(heard["w2"].append)
    w1.append(request_event(1, user="mallory"))
    assert w1.flush()
    eventually(lambda: w1.is_maintainer or w2.is_maintainer, timeout=5)
    assert ask_purge(tmp_path, "mallory")["ok"]
    eventually(lambda: heard == {"w1": ["mallory"], "w2": ["mallory"]}, timeout=5)


def test_when_the_maintainer_stops_another_writer_takes_over(tmp_path, two_writers):
    w1, w2 = two_writers
    eventually(lambda: w1.is_maintainer or w2.is_maintainer, timeout=5)
    first, other = (w1, w2) if w1.is_maintainer else (w2, w1)
    other.append(request_event(1, user="mallory"))
    assert other.flush()
    first.close()
    eventually(lambda: other.is_maintainer, timeout=5)
    answer = ask_purge(tmp_path, "mallory")
    assert answer["ok"] and answer["events_removed"] == 1
    assert count(tmp_path, "\"user\" = 'mallory'") == 0


def test_the_cli_purge_asks_the_running_workers(tmp_path, two_writers):
    w1, w2 = two_writers
    w2.append(request_event(1, user="mallory"))
    assert w2.flush()
    eventually(lambda: w1.is_maintainer or w2.is_maintainer, timeout=5)
    done = privacy.purge_person(tmp_path, "mallory", "dpo", timeout_s=20)
    assert done.ok and done.events_removed == 1
    assert count(tmp_path, "\"user\" = 'mallory'") == 0


def test_a_cli_purge_with_nothing_running_covers_every_instance_and_is_recorded(tmp_path):
    for name in ("w1", "w2"):
        writer = started(tmp_path, as_instance(name))
        writer.append(request_event(1 if name == "w1" else 2, user="mallory"))
        writer.close()
    done = privacy.purge_person(tmp_path, "mallory", "dpo", timeout_s=5)
    assert done.ok and done.events_removed == 2
    assert count(tmp_path, "\"user\" = 'mallory'") == 0
    db = open_state(tmp_path)
    try:  # a fleet instance that runs elsewhere on this lake learns of it from this record
        assert [user for _, user in SqliteAdminRequests(db).purged_since(0)] == ["mallory"]
    finally:
        db.close()


def test_a_restarted_instance_does_not_restore_a_purged_persons_journaled_request(tmp_path):
    """The purge was recorded by the maintainer in its own directory; the journal recovery of
    another instance must see it there."""
    w2 = started(tmp_path, as_instance("w2"))
    w2.journal(request_event(7, user="mallory", time=1_000.0))
    w2.close()  # an unanswered request keeps its journal record, as after a kill
    w1 = started(tmp_path, as_instance("w1"))
    try:
        eventually(lambda: w1.is_maintainer, timeout=5)
        w1.purge_user("mallory", "dpo")
    finally:
        w1.close()
    w2_again = started(tmp_path, as_instance("w2"))
    w2_again.close()
    assert count(tmp_path, "\"user\" = 'mallory' AND type = 'request'") == 0


@pytest.mark.parametrize("gone", ["w3", ""])
def test_the_maintainer_records_the_journal_of_an_instance_that_no_longer_runs(tmp_path, gone):
    """`--workers 3` then `--workers 2` (w3 is gone), or a single proxy that became workers
    (the unnamed instance is gone): what they had forwarded is still recorded, once."""
    stopped = started(tmp_path, as_instance(gone))
    for i in range(3):
        stopped.journal(request_event(i, user="carol"))  # forwarded, no answer yet
    stopped.close()  # unanswered: the records stay in its journal
    assert count(tmp_path) == 0

    w1 = started(tmp_path, as_instance("w1"))
    try:
        eventually(lambda: count(tmp_path, "type = 'request'") == 3, timeout=15)
        events = reader.read_events(tmp_path)
        assert sorted(e["id"] for e in events if e["type"] == "request") == [
            "req-0",
            "req-1",
            "req-2",
        ]
        assert all(e["status"] is None and e["error"] for e in events if e["type"] == "request")
        journal = StoreLayout(tmp_path, gone).journal_dir
        assert not [p for p in journal.iterdir() if p.is_file()]
    finally:
        w1.close()
    # The instance coming back finds nothing left to record: no event twice.
    again = started(tmp_path, as_instance(gone))
    again.close()
    assert count(tmp_path, "type = 'request'") == 3


def test_a_running_instances_journal_is_left_to_it(tmp_path, two_writers):
    w1, w2 = two_writers
    w2.journal(request_event(1))  # in flight in a running process
    eventually(lambda: w1.is_maintainer or w2.is_maintainer, timeout=5)
    maintainer = w1 if w1.is_maintainer else w2
    assert maintainer.adopt_orphan_journals() == 0
    assert count(tmp_path, "type = 'request'") == 0


def test_a_directory_named_like_a_segment_is_never_read_as_one(tmp_path):
    writer = started(tmp_path)
    for i in range(4):
        writer.append(request_event(i))
    assert writer.flush()
    fake = tmp_path / "events" / "seg-000000000000-999999999999-g9999.parquet"
    fake.mkdir()
    (tmp_path / "events" / "edge.tmp").mkdir()
    assert count(tmp_path, "type = 'request'") == 4
    assert writer.collect_garbage(now=time.time() + 10**6) == 0  # nothing it thinks superseded
    writer.close()
    again = started(tmp_path)  # starts: the stale-temp sweep leaves directories alone
    again.close()
    assert count(tmp_path, "type = 'request'") == 4
