"""`warden run --workers N`: N proxy processes on one port, kept running by a supervisor.

mitmproxy runs one event loop in one process, so one proxy uses one core. Each worker is a
whole Warden proxy; they listen on the same address with SO_REUSEPORT and the kernel spreads
new connections over them. What must be one across them is shared outside the processes:
quota counters, coaching passes and alert windows in the state store (SQLite in the data
directory, or Redis), audit events in one lake where each worker writes its own instance
(warden/store/layout.py).

The supervisor only starts, watches and stops processes; it never touches traffic. A worker
that exits while the supervisor runs is started again, after a pause that grows while it
keeps dying young. Each worker gets SIGTERM if the supervisor dies (PR_SET_PDEATHSIG), so
no orphan keeps serving with nobody to restart it. The supervisor writes what it sees to a
status file that every worker's /healthz reports (`workers` check).

This module imports no mitmproxy: it starts `python -m addons.worker`, which does.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "RECENT_RESTART_S",
    "Supervisor",
    "WorkerProcess",
    "read_status",
    "ready_path",
    "status_path",
    "worker_names",
    "workers_check",
    "write_atomically",
]

log = logging.getLogger("warden.workers")

STOP_TIMEOUT_S = 20.0  # a worker's grace to finish what it serves (close() flushes the store)
POLL_S = 0.2
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
STABLE_S = 60.0  # a worker that lived this long starts its next crash from the first backoff
RECENT_RESTART_S = 60.0  # /healthz says degraded this long after a restart
FAILED_START_S = 5.0
GIVE_UP_AFTER = 3  # failed starts of every worker in a row: the error is not going away


def worker_names(count: int, instance: str = "") -> list[str]:
    """Instance names in the audit lake: w1..wN, or <instance>-w1.. for a fleet member."""
    prefix = f"{instance}-" if instance else ""
    return [f"{prefix}w{i}" for i in range(1, count + 1)]


def status_path(data_dir: Path, instance: str = "") -> Path:
    """One file per supervisor: fleet members sharing a data directory have their own."""
    return data_dir / "run" / (f"workers-{instance}.json" if instance else "workers.json")


def ready_path(status_file: Path, worker: str) -> Path:
    """Written by a worker once it serves (addons/runner.py): it started, whatever happens
    later. A worker that exits before writing it failed to start."""
    return status_file.parent / f"ready-{worker}"


@dataclass
class WorkerProcess:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    last_exit: int | None = None
    last_exit_at: float | None = None
    next_start_at: float = 0.0
    backoff_s: float = FIRST_BACKOFF_S  # the next pause; starts at Supervisor.first_backoff_s
    failed_starts: int = 0  # exits with an error before serving, in a row
    ready_file: Path | None = None

    @property
    def up(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pid": self.process.pid if self.up and self.process else None,
            "up": self.up,
            "started_at": self.started_at,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "last_exit_at": self.last_exit_at,
        }


@dataclass
class Supervisor:
    workers: list[WorkerProcess]
    status_file: Path
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    clock: Callable[[], float] = time.time
    first_backoff_s: float = FIRST_BACKOFF_S

    def __post_init__(self) -> None:
        for worker in self.workers:
            worker.backoff_s = self.first_backoff_s

    _stopping: bool = False

    def run(self) -> int:
        """Start every worker and keep them running until SIGTERM or SIGINT; the exit code."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        return self.serve()

    def serve(self) -> int:
        """run() without the signal handlers (which only a main thread may install): until
        stop(), or until every worker keeps failing at start (exit code 1)."""
        for worker in self.workers:
            self._start(worker)
        self._write_status()
        try:
            while not self._stopping:
                changed = self._watch()
                if self._all_failed_at_start():
                    log.error("every worker keeps failing at start; see the lines above")
                    return 1
                if changed:
                    self._write_status()
                time.sleep(POLL_S)
        finally:
            self.stop()
        return 0

    def stop(self) -> None:
        self._stopping = True
        for worker in self.workers:
            if worker.up and worker.process is not None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for worker in self.workers:
            if worker.process is None:
                continue
            try:
                worker.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error(
                    "worker %s did not stop within %.0f s: killed", worker.name, STOP_TIMEOUT_S
                )
                worker.process.kill()
                worker.process.wait()
        self._write_status()

    def _on_signal(self, signum: int, _frame: object) -> None:
        self._stopping = True

    def _start(self, worker: WorkerProcess) -> None:
        if worker.ready_file is not None:
            worker.ready_file.unlink(missing_ok=True)
        worker.process = subprocess.Popen(worker.command, env=self.env)
        worker.started_at = self.clock()
        log.info("worker %s started (pid %d)", worker.name, worker.process.pid)

    def _watch(self) -> bool:
        """Restart the workers that exited, when their pause is over; True if anything changed."""
        changed = False
        now = self.clock()
        for worker in self.workers:
            process = worker.process
            if process is not None and process.poll() is not None:
                worker.last_exit, worker.last_exit_at = process.returncode, now
                lived = now - worker.started_at
                ready = worker.ready_file
                served = ready.exists() if ready is not None else lived >= FAILED_START_S
                failed = process.returncode != 0 and not served
                worker.failed_starts = worker.failed_starts + 1 if failed else 0
                if lived >= STABLE_S:
                    worker.backoff_s = self.first_backoff_s
                wait = worker.backoff_s
                worker.backoff_s = min(worker.backoff_s * 2, MAX_BACKOFF_S)
                worker.next_start_at = now + wait
                worker.process = None
                log.error(
                    "worker %s exited (%s) after %.0f s; starting it again in %.1f s",
                    worker.name,
                    _describe_exit(process.returncode),
                    lived,
                    wait,
                )
                changed = True
            if worker.process is None and now >= worker.next_start_at and not self._stopping:
                worker.restarts += 1
                self._start(worker)
                changed = True
        return changed

    def _all_failed_at_start(self) -> bool:
        """Every worker keeps dying within seconds of starting (a port in use, a store locked
        by another Warden): restarting would only repeat the error."""
        return all(w.failed_starts >= GIVE_UP_AFTER for w in self.workers)

    def _write_status(self) -> None:
        status = {
            "supervisor_pid": os.getpid(),
            "updated_at": self.clock(),
            "workers": [w.status() for w in self.workers],
        }
        write_atomically(self.status_file, json.dumps(status, indent=1) + "\n")


def read_status(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def workers_check(status: dict[str, Any] | None, now: float) -> str:
    """What /healthz says about the workers: "ok", or what is wrong, without names or pids."""
    try:
        return _workers_check(status, now)
    except (AttributeError, TypeError, ValueError):
        return "no status from the supervisor"  # a file that is not the supervisor's


def _workers_check(status: dict[str, Any] | None, now: float) -> str:
    if status is None:
        return "no status from the supervisor"
    workers = status.get("workers")
    if not isinstance(workers, list) or not workers:
        return "no status from the supervisor"
    total = len(workers)
    down = sum(1 for w in workers if not w.get("up"))
    recent = sum(
        1
        for w in workers
        if w.get("restarts") and (now - float(w.get("started_at") or 0)) < RECENT_RESTART_S
    )
    if down:
        return f"{down} of {total} workers down"
    if recent:
        return f"{recent} of {total} workers restarted in the last {RECENT_RESTART_S:.0f} s"
    return "ok"


def worker_command(settings_json: str) -> list[str]:
    return [sys.executable, "-m", "addons.worker", settings_json]


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
