"""The supervisor of `warden run --workers N`: restarts, its status file, giving up, stopping;
and the flags that start it refuse what they cannot use."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.cli import CliResult, run_warden
from tests.support.eventually import eventually
from warden.store.layout import StoreLayout
from warden.store.lock import WriterLock
from warden.workers import (
    RECENT_RESTART_S,
    Supervisor,
    WorkerProcess,
    read_status,
    status_path,
    worker_names,
    workers_check,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
FAILS_AT_ONCE = [sys.executable, "-c", "import sys; sys.exit(3)"]


def supervise(tmp_path: Path, *commands: list[str]) -> tuple[Supervisor, threading.Thread]:
    workers = [WorkerProcess(f"w{i}", c) for i, c in enumerate(commands, 1)]
    # Pauses of 0.1 s, 0.2 s, 0.4 s, ... instead of 0.5 s, 1 s, 2 s: the same rule, sooner.
    supervisor = Supervisor(workers, status_path(tmp_path), first_backoff_s=0.1)
    thread = threading.Thread(target=_serve, args=(supervisor,), daemon=True)
    thread.start()
    return supervisor, thread


def _serve(supervisor: Supervisor) -> None:
    supervisor.exit_code = supervisor.serve()  # type: ignore[attr-defined]


def run_with(tmp_path: Path, *args: str) -> CliResult:
    """`warden run` with no policy and private directories, plus `args`."""
    return run_warden(
        "run",
        "--no-dashboard",
        "--data-dir",
        str(tmp_path / "data"),
        "--certs-dir",
        str(tmp_path / "certs"),
        "--policy",
        "none",
        *args,
    )


def status(tmp_path: Path) -> dict:
    found = read_status(status_path(tmp_path))
    assert found is not None
    return found


def test_a_killed_worker_is_started_again_and_the_status_file_says_so(tmp_path):
    supervisor, thread = supervise(tmp_path, SLEEPER, SLEEPER)
    try:
        eventually(lambda: all(w["up"] for w in status(tmp_path)["workers"]), timeout=5)
        first = status(tmp_path)["workers"][0]
        os.kill(first["pid"], signal.SIGKILL)

        def restarted() -> dict | None:
            w1 = status(tmp_path)["workers"][0]
            return w1 if w1["up"] and w1["restarts"] == 1 else None

        w1 = eventually(restarted, timeout=10)
        assert w1["pid"] != first["pid"]
        assert w1["last_exit"] == -signal.SIGKILL
        assert status(tmp_path)["workers"][1]["restarts"] == 0
        assert workers_check(status(tmp_path), time.time()) == (
            f"1 of 2 workers restarted in the last {RECENT_RESTART_S:.0f} s"
        )
        assert workers_check(status(tmp_path), time.time() + RECENT_RESTART_S + 1) == "ok"
    finally:
        supervisor.stop()
        thread.join(10)
    assert not any(w["up"] for w in status(tmp_path)["workers"])


def test_a_worker_that_keeps_dying_waits_longer_each_time(tmp_path):
    supervisor, thread = supervise(tmp_path, FAILS_AT_ONCE, SLEEPER)
    try:
        eventually(lambda: supervisor.workers[0].restarts >= 3, timeout=15)
        # Each pause twice the last: a crash loop does not spin the CPU or flood the log.
        assert supervisor.workers[0].backoff_s >= 0.8
        assert supervisor.workers[1].restarts == 0
    finally:
        supervisor.stop()
        thread.join(10)


def test_the_supervisor_gives_up_when_every_worker_fails_at_start(tmp_path):
    supervisor, thread = supervise(tmp_path, FAILS_AT_ONCE, FAILS_AT_ONCE)
    thread.join(30)
    assert not thread.is_alive()
    assert supervisor.exit_code == 1  # type: ignore[attr-defined]


def test_stop_ends_every_worker(tmp_path):
    supervisor, thread = supervise(tmp_path, SLEEPER, SLEEPER)
    eventually(lambda: all(w["up"] for w in status(tmp_path)["workers"]), timeout=5)
    pids = [w["pid"] for w in status(tmp_path)["workers"]]
    supervisor.stop()
    thread.join(10)
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, 0)  # already reaped: it exited


def test_health_says_what_is_wrong_without_names_or_pids():
    now = 1000.0
    up = {"up": True, "restarts": 0, "started_at": 0.0, "pid": 11, "name": "w1"}
    down = {"up": False, "restarts": 1, "started_at": 990.0, "pid": None, "name": "w2"}
    assert workers_check({"workers": [up, dict(up, name="w2")]}, now) == "ok"
    assert workers_check({"workers": [up, down]}, now) == "1 of 2 workers down"
    assert workers_check(None, now) == "no status from the supervisor"


def test_worker_names_follow_the_instance():
    assert worker_names(2) == ["w1", "w2"]
    assert worker_names(2, "edge-a") == ["edge-a-w1", "edge-a-w2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "--workers '0': a number from 1 to 64, or auto"),
        (["--workers", "many"], "--workers 'many': a number from 1 to 64, or auto"),
        (["--instance", "../elsewhere"], "--instance: instance name '../elsewhere'"),
        (["--set", "warden_instance=w1"], "warden_instance"),
        (["--set", "warden_workers_status=/tmp/x"], "warden_workers_status"),
    ],
)
def test_run_refuses_what_it_cannot_use_before_anything_starts(tmp_path, args, message):
    result = run_with(tmp_path, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "certs").exists()


def test_the_status_file_is_replaced_whole(tmp_path):
    supervisor, thread = supervise(tmp_path, SLEEPER)
    try:
        eventually(lambda: status(tmp_path)["workers"][0]["up"], timeout=5)
        text = status_path(tmp_path).read_text()
        assert json.loads(text)["supervisor_pid"] == os.getpid()
        assert not [p for p in status_path(tmp_path).parent.iterdir() if p.name.startswith(".")]
    finally:
        supervisor.stop()
        thread.join(10)


def test_a_worker_that_served_before_dying_is_restarted_however_often(tmp_path):
    """Only exits before serving count toward giving up: a worker that had served is a
    crash to recover from, not a configuration that can never work."""
    ready = tmp_path / "ready-w1"
    served_then_died = [
        sys.executable,
        "-c",
        f"import pathlib, sys; pathlib.Path({str(ready)!r}).write_text('1'); sys.exit(1)",
    ]
    workers = [WorkerProcess("w1", served_then_died, ready_file=ready)]
    supervisor = Supervisor(workers, status_path(tmp_path), first_backoff_s=0.1)
    thread = threading.Thread(target=_serve, args=(supervisor,), daemon=True)
    thread.start()
    try:
        eventually(lambda: workers[0].restarts >= 4, timeout=20)
        assert thread.is_alive()  # did not give up
        assert workers[0].failed_starts == 0
    finally:
        supervisor.stop()
        thread.join(10)


def test_a_status_file_that_is_not_the_supervisors_is_reported_not_trusted():
    assert workers_check({"workers": [1]}, 0.0) == "no status from the supervisor"
    bad_time = {"workers": [{"up": True, "restarts": 1, "started_at": "x"}]}
    assert workers_check(bad_time, 0.0) == "no status from the supervisor"


def test_run_refuses_a_port_something_already_listens_on(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_with(tmp_path, "--workers", "2", "--listen-port", str(port))
    assert result.returncode != 0
    assert f"127.0.0.1:{port} is already in use" in result.stderr


def test_run_refuses_a_data_directory_another_warden_writes_as_the_same_workers(tmp_path):
    held = WriterLock(StoreLayout(tmp_path / "data", "w2").lock_file)
    held.acquire()
    try:
        result = run_with(tmp_path, "--workers", "2", "--listen-port", "0")
    finally:
        held.release()
    assert result.returncode != 0
    said = f"another Warden process is writing this store (pid {os.getpid()}) as w2"
    assert said in result.stderr
    assert not (tmp_path / "certs").exists()  # refused before anything started


def test_an_instance_name_too_long_for_its_workers_is_refused(tmp_path):
    result = run_with(tmp_path, "--workers", "2", "--instance", "e" * 63)
    assert result.returncode != 0
    assert "--instance with --workers 2: instance name" in result.stderr
