"""Segment names and liveness: every event counted once, whatever merges and purges did."""

from __future__ import annotations

import os
import time

from warden.store.segments import (
    SegmentName,
    delete_superseded,
    list_segments,
    live_segments,
    remove_stale_temp_files,
)


def touch(directory, lo: int, hi: int, gen: int, age_s: float = 0.0):
    path = directory / SegmentName(lo, hi, gen).filename
    path.write_bytes(b"x")
    if age_s:
        stamp = time.time() - age_s
        os.utime(path, (stamp, stamp))
    return path


def test_names_round_trip_and_ignore_other_files(tmp_path):
    name = SegmentName(3, 17, 2)
    assert SegmentName.parse(name.filename) == name
    assert SegmentName.parse(name.filename + ".tmp") is None
    assert SegmentName.parse("seg-1-2.parquet") is None


def test_a_merge_supersedes_its_inputs_and_a_purge_rewrite_supersedes_the_merge(tmp_path):
    for n in (1, 2, 3):
        touch(tmp_path, n, n, 0)
    touch(tmp_path, 1, 2, 1)  # compaction of 1 and 2
    touch(tmp_path, 1, 2, 2)  # then a purge rewrote it
    touch(tmp_path, 4, 4, 0)
    live = [s.name for s in live_segments(list_segments(tmp_path))]
    assert live == [SegmentName(1, 2, 2), SegmentName(3, 3, 0), SegmentName(4, 4, 0)]


def test_temp_files_of_a_crashed_writer_are_removed(tmp_path):
    (tmp_path / (SegmentName(1, 1, 0).filename + ".tmp")).write_bytes(b"torn")
    kept = touch(tmp_path, 2, 2, 0)
    assert remove_stale_temp_files(tmp_path) == 1
    assert [s.path for s in list_segments(tmp_path)] == [kept]


def test_superseded_files_are_deleted_only_after_the_grace_period(tmp_path):
    old = touch(tmp_path, 1, 1, 0)
    touch(tmp_path, 1, 1, 1)
    assert delete_superseded(tmp_path, grace_s=60) == 0
    assert old.exists()
    assert delete_superseded(tmp_path, grace_s=60, now=time.time() + 61) == 1
    assert not old.exists()
