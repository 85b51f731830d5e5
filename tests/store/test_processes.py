"""Real processes: a reader beside the writer, and a writer killed with SIGKILL under load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from tests.store.helpers import request_event
from tests.support.eventually import eventually
from warden.store import reader
from warden.store.layout import StoreLayout
from warden.store.writer import StoreWriter

REPO = Path(__file__).parents[2]


def spawn(module: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


class Lines:
    """A process's stdout lines, collected by a thread so reads never block the test."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[tuple[float, str]] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append((time.monotonic(), line.strip()))

    def wait_for(self, predicate, timeout: float) -> tuple[float, str]:  # type: ignore[no-untyped-def]
        seen = 0

        def matching() -> tuple[float, str] | None:
            nonlocal seen
            new = self.lines[seen:]
            seen += len(new)  # each line goes to the predicate once: it may count them
            return next(((stamp, line) for stamp, line in new if predicate(line)), None)

        return eventually(
            matching, timeout, 0.02, message=lambda: f"no matching line; last: {self.lines[-3:]}"
        )


def test_another_process_sees_new_events_within_5_seconds_while_the_proxy_writes(tmp_path):
    writer = StoreWriter(tmp_path)  # real settings: 0.8 s flush interval
    writer.start()
    process = spawn("tests.store.reader_process", str(tmp_path))
    try:
        lines = Lines(process)
        lines.wait_for(lambda line: line.startswith("SEEN"), timeout=20)
        total = 0
        for burst in (50, 500):
            for i in range(burst):
                writer.append(request_event(total + i))
            total += burst
            sent = time.monotonic()
            want = f"SEEN {total} {total}"
            seen_at, _ = lines.wait_for(lambda line, want=want: line == want, timeout=5)
            assert seen_at - sent < 5.0
    finally:
        process.kill()
        process.wait()
        writer.close()


def test_kill_9_under_load_loses_nothing_acknowledged_and_the_store_opens(tmp_path):
    rate = 5000
    process = spawn("tests.store.writer_process", str(tmp_path), str(rate))
    try:
        lines = Lines(process)
        lines.wait_for(lambda line: line == "READY", timeout=20)
        acks = 0

        def third_ack(line: str) -> bool:
            nonlocal acks
            acks += line.startswith("ACK ")
            return acks >= 3

        lines.wait_for(third_ack, timeout=15)
        time.sleep(0.6)  # somewhere inside the next flush interval, maybe mid-flush
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    acked = max(int(line.split()[1]) for _, line in lines.lines if line.startswith("ACK "))
    assert acked >= 2 * rate * 0.5  # it really was under load

    con = reader.connect(tmp_path)
    present, distinct, top = con.execute(
        "SELECT count(*) FILTER (WHERE seq <= ?), count(DISTINCT seq), max(seq) FROM events",
        [acked],
    ).fetchone() or (0, 0, 0)
    assert present == acked  # every acknowledged event is there...
    assert distinct == con.execute("SELECT count(*) FROM events").fetchone()[0]  # ...once
    assert top >= acked

    # A new writer cleans up whatever the killed one left and carries on.
    writer = StoreWriter(tmp_path)
    writer.start()
    writer.append(request_event(0))
    assert writer.flush()
    writer.close()
    events_dir = StoreLayout(tmp_path).events_dir
    assert not list(events_dir.glob("*.tmp"))
    catalog = duckdb.connect(str(tmp_path / "warden.duckdb"), read_only=True)
    assert catalog.execute("SELECT count(*) FROM events").fetchone()[0] == top + 1
    catalog.close()
