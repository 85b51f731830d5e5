"""Health checks the dashboard can make from outside the proxy, without disturbing it.

- Is the proxy listening? A TCP connect to its address (what `warden run` was given).
- Is something writing the store? Each instance's writer holds an flock on its
  events/[<instance>/].writer.lock for its whole life (warden/store/lock.py). A
  non-blocking *shared* lock attempt on a read-only descriptor tells whether an exclusive
  holder exists; if the attempt succeeds it is released at once. A proxy starting in that
  instant retries its lock for 10 s anyway.
- How big is the store on disk? Sizes of the files under the data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from warden.alerts.service import alerts_dir
from warden.state.db import state_path
from warden.store.layout import QUARANTINE, StoreLayout
from warden.store.segments import list_segments, live_lake_segments

__all__ = ["DiskUsage", "disk_usage", "port_open", "store_writer"]


def port_open(address: tuple[str, int] | None, timeout_s: float = 0.5) -> bool | None:
    """True/False, or None when the address is unknown."""
    if address is None:
        return None
    try:
        with socket.create_connection(address, timeout=timeout_s):
            return True
    except OSError:
        return False


def store_writer(data_dir: Path) -> tuple[bool, str | None]:
    """(a writer holds the store, the pids written in the lock files of those that do):
    any instance of the lake counts (the workers of `warden run --workers N`)."""
    pids = []
    writing = False
    for events_dir in StoreLayout(data_dir).writer_dirs():
        held, pid = _lock_holder(events_dir / ".writer.lock")
        writing = writing or held
        if pid:
            pids.append(pid)
    return writing, ", ".join(pids) or None


def _lock_holder(path: Path) -> tuple[bool, str | None]:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False, None  # no lock file: nobody has ever written this store
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or None
            return True, pid
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False, None
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class DiskUsage:
    segments: int
    live_segments: int
    segment_bytes: int
    quarantined: int
    alert_bytes: int
    dashboard_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.segment_bytes + self.alert_bytes + self.dashboard_bytes


def disk_usage(data_dir: Path) -> DiskUsage:
    dirs = StoreLayout(data_dir).writer_dirs()
    segments = [s for d in dirs for s in list_segments(d)]
    return DiskUsage(
        segments=len(segments),
        live_segments=len(live_lake_segments(dirs)),
        segment_bytes=sum(_size(s.path) for s in segments),
        quarantined=sum(len(list((d / QUARANTINE).glob("*.parquet"))) for d in dirs),
        alert_bytes=_tree_size(alerts_dir(data_dir))
        + sum(_size(p) for p in data_dir.glob(state_path(data_dir).name + "*")),
        dashboard_bytes=_tree_size(data_dir / "dashboard"),
    )


def _size(path: Path) -> int:
    with contextlib.suppress(OSError):
        return path.stat().st_size
    return 0


def _tree_size(directory: Path) -> int:
    if not directory.exists():
        return 0
    return sum(_size(p) for p in directory.rglob("*") if p.is_file())
