"""The data directory is private: directories 0700, files 0600, whatever the umask.

Warden's records hold who asked which AI what, masked findings and sometimes the prompts
themselves. Rather than every writer (Parquet segments, journals, alert records, the review
and DuckDB databases with their -wal and -shm side files) choosing a mode, Warden's processes
run under a umask that keeps group and others out, so a writer added later is private too.
A data directory left by an older version (0755 and 0644) is tightened at start.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PRIVATE_UMASK",
    "Tightened",
    "child_umask",
    "describe",
    "private_umask",
    "tighten",
]

# Group and others get nothing; bits the umask already clears stay cleared.
PRIVATE_UMASK = 0o077


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Run the body (a whole command, in practice) under a umask that clears group/other bits."""
    old = os.umask(PRIVATE_UMASK)
    os.umask(old | PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)  # only matters in-process (tests); a command's process ends here


def child_umask() -> int:
    """The umask for a child process (the dashboard): this one's, with group/other cleared."""
    current = os.umask(PRIVATE_UMASK)
    os.umask(current)
    return current | PRIVATE_UMASK


@dataclass(frozen=True)
class Tightened:
    path: Path
    old_mode: int  # None of these carry a secret: a path and two modes
    new_mode: int | None  # None: could not be changed (the error says why)
    error: str | None = None


def tighten(data_dir: Path) -> list[Tightened]:
    """Create `data_dir` 0700 if missing, and take group/other bits off everything in it.

    Symbolic links are left alone: their target may be anywhere, and Linux links have no mode.
    """
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        # Not fatal here: the store reports an unwritable directory the way it always does
        # (requests refused per audit.on_store_failure, /healthz degraded).
        return [Tightened(data_dir, 0, None, e.strerror)]
    changed: list[Tightened] = []
    _tighten_one(data_dir.resolve(), changed)  # a data dir that is a link: its target
    for root, dirs, files in os.walk(data_dir):
        for name in (*dirs, *files):
            _tighten_one(Path(root) / name, changed)
    return changed


def _tighten_one(path: Path, changed: list[Tightened]) -> None:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return  # removed since the walk listed it (a segment renamed into place, a -wal file)
    if stat.S_ISLNK(st.st_mode):
        return
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o077:
        return
    new = mode & ~0o077
    try:
        os.chmod(path, new)
    except FileNotFoundError:
        return
    except OSError as e:
        changed.append(Tightened(path, mode, None, e.strerror))
        return
    changed.append(Tightened(path, mode, new))


def describe(changes: list[Tightened], data_dir: Path, limit: int = 5) -> list[str]:
    """Log lines for what `tighten` did: a summary, then the first few paths."""
    if not changes:
        return []
    done = [c for c in changes if c.error is None]
    failed = [c for c in changes if c.error is not None]
    lines = []
    if done:
        lines.append(
            f"made {len(done)} path(s) under {data_dir} private to their owner "
            f"(group/other permissions removed)"
        )
        lines += [f"  {c.path}: {c.old_mode:04o} -> {c.new_mode:04o}" for c in done[:limit]]
        if len(done) > limit:
            lines.append(f"  ... and {len(done) - limit} more")
    for c in failed:
        lines.append(f"could not make {c.path} private: {c.error}")
    return lines
