"""The quota counter file of earlier versions: a JSON snapshot in the data directory.

Counters now live in the state database (warden/state/counters.py); this format is read
once, when an upgraded Warden first opens that database (warden/state/migration.py), and
written only by tests that build an old data directory.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

from warden.policy.counters import CounterEntry

__all__ = ["FILE_NAME", "CounterFileError", "read_counters", "set_aside", "write_counters"]

FILE_NAME = "quota-counters.json"
FORMAT_VERSION = 1


class CounterFileError(ValueError):
    """The file exists but cannot be read as Warden's counters."""


def read_counters(path: Path, now: float) -> list[CounterEntry]:
    """The counters whose window is still open; none if there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as e:
        raise CounterFileError(f"cannot read {path}: {e}") from e
    try:
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            raise CounterFileError(f"{path}: unknown format version {data.get('version')!r}")
        entries = [_entry(row) for row in data["counters"]]
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        if isinstance(e, CounterFileError):
            raise
        raise CounterFileError(f"{path} is not a quota counter file: {e}") from e
    return [entry for entry in entries if entry[3] > now]


def write_counters(path: Path, entries: list[CounterEntry]) -> None:
    """Replace the file atomically; it names users, so only the proxy's account may read it."""
    data = {"version": FORMAT_VERSION, "saved_at": time.time(), "counters": entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())  # the rename must never point at a file whose data is not there
    os.replace(tmp, path)


def set_aside(path: Path) -> Path:
    """Move an unreadable file out of the way, keeping it for whoever investigates."""
    aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%dT%H%M%S')}")
    os.replace(path, aside)
    return aside


def _entry(row: object) -> CounterEntry:
    if not isinstance(row, list) or len(row) != 4 or not isinstance(row[0], str):
        raise ValueError(f"bad counter row {row!r}")
    start, value, end = (float(v) for v in row[1:])
    if not all(math.isfinite(v) for v in (start, value, end)) or value < 0:
        raise ValueError(f"bad counter row {row!r}")
    return row[0], start, value, end
