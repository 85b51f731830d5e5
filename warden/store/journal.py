"""The request journal: every AI request Warden forwards is on disk before it leaves.

Events reach the Parquet segments in batches (writer.py), so each one waits up to a flush
interval in memory, and a kill -9 in that window would lose the record of requests that had
already reached the provider. So just before the proxy forwards an AI request it appends the
request's event as it stands then (who, where, the decision, DLP findings, the prompt as
captured; no answer yet) to this journal: one line, one write() to a file opened with
O_APPEND. Once write() has returned, the bytes are in the kernel's page cache, which outlives
the process. Not the machine: a power cut can still lose them, because an fsync per request
would cost more than the rest of the request.

    <data dir>/journal/j-<number>.jsonl      mode 0600, in a directory created 0700

The first line of a file names the fields; each further line is one event's values in that
order, as a JSON array (cheaper to write than an object, and the header keeps a file readable
by a Warden whose columns have changed since). A new file is started every `rotate_s` (the
writer's flush interval) or past `max_bytes`.

A record is obsolete once its request's final event (written at the answer or the error) is
in a segment: the writer passes the ids of each flush to settle(), and a file that is no
longer written to and whose every id is settled is deleted. A file with a request still in
flight (a long stream) stays until that request ends.

At start the writer, holding the store's lock, reads what a stopped process left
(read_journal), adds an event marked interrupted (as_interrupted) for each id the store does
not hold, and deletes the files only once that segment is on disk: a crash during recovery
is simply recovered again, and every id ends up with exactly one event. A line cut short
because the process was killed in the middle of writing it is skipped with a warning.

Not journaled: requests Warden answered itself (blocked by policy, refused by inspection,
refused because the store was down). They never left, so there is nothing to lose on a
crash that matters more than any other event of the last flush interval.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from warden.store.event import EVENT_FIELDS, AuditEvent

__all__ = [
    "INTERRUPTED",
    "JournalContents",
    "RequestJournal",
    "as_interrupted",
    "delete_journal_file",
    "journal_files",
    "read_journal",
]

log = logging.getLogger("warden.store")

# The `error` of an event recovered from the journal: it was forwarded, its answer is unknown.
INTERRUPTED = "proxy stopped before the answer was recorded"
# The method the audit log records for one client message on a WebSocket.
WEBSOCKET_MESSAGE = "WEBSOCKET"

FORMAT_VERSION = 1
_NAME = re.compile(r"^j-(\d+)\.jsonl$")
_FIELD_SET = frozenset(EVENT_FIELDS)
_values_of = attrgetter(*EVENT_FIELDS)
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
_HEADER = (
    _encode({"warden_journal": FORMAT_VERSION, "fields": list(EVENT_FIELDS)}) + "\n"
).encode()


@dataclass(eq=False, slots=True)
class _File:
    path: Path
    fd: int | None  # None once sealed: nothing more is written to it
    opened: float  # time.monotonic()
    size: int = 0
    ids: set[str] = field(default_factory=set)  # journaled, final event not yet in a segment


class RequestJournal:
    """Appends events before their requests leave; forgets them once the store has them.

    record() runs on the proxy's event loop, settle() on the writer's flush thread.
    """

    def __init__(self, directory: Path, rotate_s: float = 0.8, max_bytes: int = 8 << 20) -> None:
        self.directory = directory
        self.rotate_s = rotate_s
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._current: _File | None = None
        self._sealed: list[_File] = []  # no longer written to, requests still in flight
        self._obsolete: list[Path] = []  # to delete, outside the lock
        self._file_of: dict[str, _File] = {}
        self._next_number: int | None = None

    @property
    def in_flight(self) -> int:
        """Journaled requests whose final event is not in a segment yet."""
        return len(self._file_of)

    def record(self, event: AuditEvent) -> None:
        """Append `event` durably (against a crash of this process); OSError if it cannot be."""
        line = (_encode(_values_of(event)) + "\n").encode()
        with self._lock:
            current = self._current
            if (
                current is None
                or current.size >= self.max_bytes
                or time.monotonic() - current.opened >= self.rotate_s
            ):
                current = self._rotate()
            self._append(current, line)
            if event.id:
                current.ids.add(event.id)
                self._file_of[event.id] = current

    def settle(self, ids: Iterable[Any]) -> None:
        """These ids' final events are in a segment: drop files nobody needs any more."""
        with self._lock:
            file_of = self._file_of
            for event_id in ids:
                journal_file = file_of.pop(event_id, None)
                if journal_file is not None:
                    journal_file.ids.discard(event_id)
            if self._current is not None and not self._current.ids:
                self._seal(self._current)  # nothing in flight: the next request starts a file
            if any(not f.ids for f in self._sealed):
                self._obsolete += [f.path for f in self._sealed if not f.ids]
                self._sealed = [f for f in self._sealed if f.ids]
            obsolete, self._obsolete = self._obsolete, []
        for path in obsolete:
            delete_journal_file(path)

    def probe(self) -> None:
        """Start a new file now; OSError if the journal still cannot be written."""
        with self._lock:
            self._rotate()
            obsolete, self._obsolete = self._obsolete, []
        for path in obsolete:
            delete_journal_file(path)

    def close(self) -> None:
        """Stop writing; files of requests still in flight stay for the next start."""
        with self._lock:
            if self._current is not None:
                self._seal(self._current)
            obsolete, self._obsolete = self._obsolete, []
        for path in obsolete:
            delete_journal_file(path)

    # -- internals: call with the lock held -----------------------------------------------

    def _rotate(self) -> _File:
        if self._current is not None:
            self._seal(self._current)
        self._current = self._open()
        return self._current

    def _open(self) -> _File:
        if not self.directory.is_dir():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._next_number is None:
            numbers = [_number(p) for p in journal_files(self.directory)]
            self._next_number = max(numbers, default=0) + 1
        while True:
            path = self.directory / f"j-{self._next_number:012d}.jsonl"
            self._next_number += 1
            try:
                fd = os.open(
                    path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600
                )
            except FileExistsError:
                continue  # a stopped process's file, not yet recovered: never append to it
            break
        journal_file = _File(path, fd, time.monotonic())
        try:
            self._append(journal_file, _HEADER)
        except OSError:
            if journal_file.fd is not None:
                os.close(journal_file.fd)
            delete_journal_file(path)
            raise
        return journal_file

    def _append(self, journal_file: _File, data: bytes) -> None:
        assert journal_file.fd is not None
        written = 0
        try:
            while written < len(data):
                written += os.write(journal_file.fd, data[written:])
        except OSError:
            # Cut a partial line off again so the next record starts on a line of its own; if
            # even that fails, the partial line stays last in a sealed file and recovery
            # skips it. Either way the next record goes to a new file.
            if written:
                with contextlib.suppress(OSError):
                    os.ftruncate(journal_file.fd, journal_file.size)
            self._seal(journal_file)
            raise
        journal_file.size += written

    def _seal(self, journal_file: _File) -> None:
        if journal_file.fd is not None:
            with contextlib.suppress(OSError):
                os.close(journal_file.fd)
            journal_file.fd = None
        if journal_file is self._current:
            self._current = None
        if journal_file.ids:
            self._sealed.append(journal_file)
        else:
            self._obsolete.append(journal_file.path)


@dataclass
class JournalContents:
    """What a stopped process left: its events by id, and which files were read whole."""

    events: dict[str, AuditEvent] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)  # read: may be deleted once folded in
    skipped: int = 0  # lines that could not be read (a torn last line, damage)


def journal_files(directory: Path) -> list[Path]:
    """The journal files in `directory`, oldest first."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return sorted((directory / n for n in names if _NAME.match(n)), key=_number)


def read_journal(paths: Iterable[Path]) -> JournalContents:
    """Every readable record in `paths`; unreadable lines are skipped with a warning."""
    contents = JournalContents()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as e:
            log.error("could not read the request journal %s: %s; it is kept", path, e)
            continue
        contents.files.append(path)
        lines = data.split(b"\n")
        if lines[-1]:
            contents.skipped += 1
            log.warning(
                "%s: skipped a journal record cut short (the process stopped while writing it)",
                path,
            )
        lines = lines[:-1]
        if not lines:
            continue
        fields = _header_fields(lines[0])
        if fields is None:
            contents.skipped += len(lines)
            log.warning("%s: not a request journal this Warden can read; skipped", path)
            continue
        for number, line in enumerate(lines[1:], start=2):
            event = _event(fields, line)
            if event is None:
                contents.skipped += 1
                log.warning("%s:%d: skipped an unreadable journal record", path, number)
                continue
            contents.events.setdefault(event.id or "", event)
    contents.events.pop("", None)
    return contents


def as_interrupted(event: AuditEvent) -> AuditEvent:
    """The event of a request that was forwarded and whose answer was never recorded. A
    WebSocket message's event is whole when it is journaled (a message has no answer)."""
    if event.method == WEBSOCKET_MESSAGE:
        return event
    event.status = None
    event.error = INTERRUPTED
    return event


def _header_fields(line: bytes) -> list[str] | None:
    try:
        header = json.loads(line)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("warden_journal") != FORMAT_VERSION:
        return None
    fields = header.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        return None
    return fields


def _event(fields: list[str], line: bytes) -> AuditEvent | None:
    try:
        values = json.loads(line)
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != len(fields):
        return None
    # Columns this Warden no longer has are dropped; ones it added since stay at their default.
    known = {k: v for k, v in zip(fields, values, strict=True) if k in _FIELD_SET}
    if not isinstance(known.get("type"), str) or not isinstance(known.get("id"), str):
        return None
    if not isinstance(known.get("time"), int | float):
        known.pop("time", None)
    try:
        return AuditEvent(**known)
    except TypeError:
        return None


def _number(path: Path) -> int:
    match = _NAME.match(path.name)
    return int(match[1]) if match else 0


def delete_journal_file(path: Path) -> None:
    """Delete an obsolete journal file; one that cannot be deleted is logged and left."""
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        # Harmless: recovery skips records whose events the store already holds.
        log.warning("could not delete the obsolete request journal %s: %s", path, e)
