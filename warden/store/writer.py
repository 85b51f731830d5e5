"""The one writer of the audit store: events in from the proxy, Parquet segments out.

- append() only puts the event on a queue: the proxy's event loop never waits for a disk.
- A flush thread writes whatever is queued as one segment at least every `flush_interval_s`
  (0.8 s), sooner when `max_batch` events are waiting: staged with DuckDB's appender, written
  with COPY ... TO a temp file, fsynced, renamed into place. Each flush starts early by the
  time the previous one took, so an event is on disk within about 1 s of append() and a
  kill -9 loses at most that; a torn temp file is never visible and is removed at start.
- A maintenance thread merges small segments (compaction.py), applies retention daily and
  carries out admin requests such as a user purge (purge.py, requests.py), then deletes
  superseded files once no reader can still be opening them (segments.py).
- If a flush fails (disk full, permissions) the events stay queued, `healthy` turns False
  and listeners hear about it; the next flush retries. The proxy decides what to do with
  AI traffic meanwhile (Policy.audit.on_store_failure).
- The request journal (journal.py) covers the flush interval for requests that have left:
  journal() writes a request's event before it is forwarded, each flush settles the ids it
  wrote, and start() turns what a killed process left into events marked interrupted. A
  journal that cannot be written makes the store unhealthy too, until a write succeeds.
- One writer per instance of the lake (layout.py), enforced with a lock file (lock.py);
  readers need no lock at all. Each writer compacts its own segments. Retention and admin
  requests (a person's purge) are for the whole lake: the writer holding the maintainer
  lock does them, for every instance's segments, each under that instance's rewrite lock so
  that it never races the owner's compaction. When the maintainer dies another writer takes
  over at its next round. The other writers learn of each purge from the answered request
  and tell their listeners, so that no process keeps a purged person in memory.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from warden.state.db import StateDB
from warden.state.requests import SqliteAdminRequests
from warden.store.catalog import write_catalog
from warden.store.compaction import merge, plan_merges
from warden.store.event import EVENT_FIELDS, AuditEvent, admin_event, coerce_row, to_row
from warden.store.journal import (
    INTERRUPTED,
    RequestJournal,
    as_interrupted,
    delete_journal_file,
    journal_files,
    read_journal,
)
from warden.store.layout import StoreLayout, check_instance, rewrite_lock_file
from warden.store.lock import StoreLocked, WriterLock
from warden.store.parquet import readable, row_counts, write_segment
from warden.store.purge import PurgeResult, older_than, purge, user_is
from warden.store.requests import AdminRequests
from warden.store.schema import COLUMNS, empty_events_sql
from warden.store.segments import (
    Segment,
    SegmentName,
    delete_superseded,
    list_segments,
    live_lake_segments,
    live_segments,
    remove_stale_temp_files,
)
from warden.store.sql import file_list, quoted
from warden.store.staged import TABLE_NAME, BadBatch, arrow_batch

__all__ = ["StoreWriter", "WriterSettings"]

log = logging.getLogger("warden.store")

type FlushListener = Callable[[int, int], None]  # (last seq written, events in that flush)
type HealthListener = Callable[[bool, str | None], None]  # (healthy, what is wrong)
type PurgeListener = Callable[[str], None]  # (user whose events were purged)

_STAGING_COLUMNS = ", ".join(f"{quoted(c.name)} {c.staging_type}" for c in COLUMNS)
_ID_IN_ROW = 1 + EVENT_FIELDS.index("id")  # rows are (seq, *fields)
# How far before its oldest journal record recovery looks for final events already stored.
# They carry the same time (the request's start); the margin is for clocks that were set back.
_RECOVERY_MARGIN_S = 3600.0


def _select_from(table: str) -> str:
    """Staged rows as the segment stores them: JSON typed as JSON, time as a timestamp."""
    return (
        "SELECT "
        + ", ".join(
            "make_timestamp(time) AS time"
            if c.name == "time"
            else (
                f"CAST({quoted(c.name)} AS JSON) AS {quoted(c.name)}"
                if c.type == "JSON"
                else quoted(c.name)
            )
            for c in COLUMNS
        )
        + f" FROM {table}"
    )


_STAGED_SELECT = _select_from("staging")  # rows the appender took (the fallback path)
_ARROW_SELECT = _select_from(TABLE_NAME)  # a batch registered as an Arrow table


@dataclass(frozen=True, slots=True)
class WriterSettings:
    # Under 1 s on purpose: with the write itself (up to ~0.3 s at 20,000 events/s) an
    # event is on disk within 1 s of append(), the most a kill -9 may lose.
    flush_interval_s: float = 0.8
    max_batch: int = 50_000  # flush early past this many queued events
    max_pending: int = 500_000  # while the store is failing, keep at most this many in memory
    maintenance_interval_s: float = 10.0  # how often to look for segments to merge
    retention_interval_s: float = 86_400.0
    grace_s: float = 300.0  # superseded files stay this long for readers mid-query
    lock_timeout_s: float = 10.0
    duckdb_threads: int = 1  # leave the other cores to the proxy
    instance: str = ""  # this writer's instance in the lake (layout.py); "": the unnamed one
    rewrite_lock_timeout_s: float = 120.0  # waiting for another process's merge or purge


class StoreWriter:
    def __init__(
        self,
        data_dir: Path,
        settings: WriterSettings | None = None,
        retention_days: Callable[[], int | None] | None = None,
    ) -> None:
        self.settings = settings or WriterSettings()
        self.layout = StoreLayout(data_dir, self.settings.instance)
        self._retention_days = retention_days
        self._queue: deque[AuditEvent] = deque()
        self._cond = threading.Condition()
        self._stop = False
        self._flush_requested = False
        self._cycles_begun = 0
        self._cycles_done = 0
        self._retry_rows: list[tuple[Any, ...]] = []
        self._next_seq = 1
        self._next_number = 1
        self._ready = False
        self._healthy = True
        self._error: str | None = None
        self._dropped = 0
        self._flush_listeners: list[FlushListener] = []
        self._requests: AdminRequests | None = None  # opened by the maintenance thread
        self._state_db: StateDB | None = None
        self._health_listeners: list[HealthListener] = []
        self._purge_listeners: list[PurgeListener] = []
        self._lock = WriterLock(self.layout.lock_file)
        self._maintainer = WriterLock(self.layout.maintainer_lock_file)
        self._purges_seen: set[str] = set()  # answered purge requests already told
        self._purges_since = time.time()
        self._maintenance_lock = threading.Lock()
        # A purge and a journal adoption never interleave: an adopted record is either on
        # disk before the purge (which removes it) or sees the purge (and is dropped).
        self._purge_lock = threading.RLock()
        self._maintenance_stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._flush_con: duckdb.DuckDBPyConnection | None = None
        self._journal = RequestJournal(
            self.layout.journal_dir, rotate_s=self.settings.flush_interval_s
        )
        self._journal_leftovers: list[Path] = []  # a stopped process's, not yet recovered
        self._journal_error: str | None = None
        self._health_lock = threading.Lock()

    # -- what the proxy uses ------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        """Segments can be written and so can the journal."""
        return self._healthy and self._journal_error is None

    @property
    def error(self) -> str | None:
        return self._error or self._journal_error

    @property
    def pending(self) -> int:
        return len(self._queue) + len(self._retry_rows)

    def append(self, event: AuditEvent) -> None:
        """Queue one event. Thread-safe and O(1): never touches the disk."""
        queue = self._queue
        if len(queue) >= self.settings.max_pending:
            self._dropped += 1
            if self._dropped in (1, 10, 100, 1000) or self._dropped % 10_000 == 0:
                log.error("audit store backlog full: %d events dropped so far", self._dropped)
            return
        queue.append(event)
        if len(queue) == self.settings.max_batch:
            with self._cond:
                self._cond.notify_all()

    def journal(self, event: AuditEvent) -> None:
        """Write the event of a request about to be forwarded so that it survives a crash of
        this process (see journal.py); OSError if it cannot be written. Event loop safe: one
        write() to the page cache."""
        try:
            self._journal.record(event)
        except OSError as e:
            self._set_journal_error(f"request journal: {_describe(e)}")
            raise
        if self._journal_error is not None:
            self._set_journal_error(None)

    def add_flush_listener(self, listener: FlushListener) -> None:
        self._flush_listeners.append(listener)

    def add_health_listener(self, listener: HealthListener) -> None:
        self._health_listeners.append(listener)

    def add_purge_listener(self, listener: PurgeListener) -> None:
        """Called with the user's name after their events were purged (maintenance thread),
        so whoever keeps other state about them in memory can drop it too."""
        self._purge_listeners.append(listener)

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        """Take the store's lock (StoreLocked if another process has it) and start writing."""
        self._lock.acquire(self.settings.lock_timeout_s)
        try:
            # Before this process journals anything: only these files are a stopped one's.
            self._journal_leftovers = journal_files(self.layout.journal_dir)
        except OSError as e:
            log.error("could not look for a request journal to recover: %s", _describe(e))
        try:
            self._prepare()
        except (OSError, duckdb.Error) as e:
            # Keep going: the flush thread retries, and the proxy blocks or serves meanwhile.
            self._set_health(False, _describe(e))
        for target, name in (
            (self._flush_loop, "warden-store-flush"),
            (self._maintenance_loop, "warden-store-maintenance"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Write everything queued before this call; True if it is on disk."""
        with self._cond:
            target = self._cycles_begun + 1
            self._flush_requested = True
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._cycles_done >= target, timeout=timeout_s)
            return self._cycles_done >= target and self._healthy

    def close(self, timeout_s: float = 10.0) -> None:
        self._maintenance_stop.set()
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self.pending:
            log.error("audit store closed with %d events not written", self.pending)
        # Requests still unanswered keep their records: the next start records them.
        self._journal.close()
        if self._state_db is not None:
            self._state_db.close()
        self._maintainer.release()
        self._lock.release()

    @property
    def is_maintainer(self) -> bool:
        return self._maintainer.held

    def become_maintainer(self) -> bool:
        """Take the lake's maintainer lock if nobody holds it; True if this writer has it."""
        if not self._maintainer.held:
            try:
                self._maintainer.acquire(0.0)
            except StoreLocked:
                return False
            except OSError as e:
                log.error("could not take the audit lake's maintainer lock: %s", _describe(e))
                return False
            log.info("this process maintains the audit lake (retention, purges)")
        return True

    # -- admin operations (maintenance thread, or a CLI that holds the lock) -------------

    def purge_user(self, user: str, actor: str, alerts_removed: int = 0) -> PurgeResult:
        """Remove every event of `user` (a privacy request) and record that it was done, with
        how many alerts about them the caller removed from the alert files."""
        with self._purge_lock:
            return self._purge_user(user, actor, alerts_removed)

    def _purge_user(self, user: str, actor: str, alerts_removed: int) -> PurgeResult:
        self._require_maintainer()
        self.flush()  # the user's most recent events may still be queued
        result = self._rewrite_lake(user_is(user))
        self.append(
            admin_event(
                "purge_user",
                actor,
                {
                    "target_user": user,
                    "events_removed": result.events_removed,
                    "segments_rewritten": result.segments_rewritten,
                    "alerts_removed": alerts_removed,
                },
            )
        )
        self.flush()
        log.info("purged %d events of user %r for %s", result.events_removed, user, actor)
        for listener in self._purge_listeners:
            try:
                listener(user)
            except Exception:
                log.exception("purge listener failed")
        return result

    def apply_retention(self, now: datetime | None = None) -> PurgeResult:
        days = self._retention_days() if self._retention_days else None
        if not days:
            return PurgeResult()
        self._require_maintainer()
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        result = self._rewrite_lake(older_than(cutoff))
        if result.events_removed:
            self.append(
                admin_event(
                    "retention",
                    "warden",
                    {
                        "retention_days": days,
                        "cutoff": cutoff.isoformat(),
                        "events_removed": result.events_removed,
                        "segments_rewritten": result.segments_rewritten,
                    },
                )
            )
            log.info("retention: removed %d events older than %s", result.events_removed, cutoff)
        return result

    def compact(self) -> int:
        """Merge what is due; returns how many merges were done."""
        merges = 0
        with (
            self._maintenance_lock,
            self._rewriting(self.layout.events_dir),
            self._connection() as con,
        ):
            for _ in range(8):  # a merge can make the next tier due; bounded per round
                live = live_segments(list_segments(self.layout.events_dir))
                runs = plan_merges(live, row_counts(con, live))
                if not runs:
                    break
                for run in runs:
                    merge(con, self.layout.events_dir, run)
                    merges += 1
        return merges

    def collect_garbage(self, now: float | None = None) -> int:
        """Delete superseded files past their grace period: this instance's, and the whole
        lake's if this writer is the maintainer (an instance that is gone for good has nobody
        else to clean up after the purges)."""
        dirs = self.layout.writer_dirs() if self.is_maintainer else [self.layout.events_dir]
        with self._maintenance_lock:
            return sum(delete_superseded(d, self.settings.grace_s, now) for d in dirs)

    def _require_maintainer(self) -> None:
        if not self.become_maintainer():
            raise StoreLocked(
                f"{self.layout.events_root}: another Warden process maintains this audit lake"
            )

    def _rewrite_lake(self, predicate: str) -> PurgeResult:
        """Remove the events matching `predicate` from every instance's segments."""
        removed = rewritten = 0
        with self._maintenance_lock, self._connection() as con:
            for events_dir in self.layout.writer_dirs():
                with self._rewriting(events_dir):
                    done = purge(con, events_dir, predicate)
                removed += done.events_removed
                rewritten += done.segments_rewritten
        return PurgeResult(removed, rewritten)

    @contextlib.contextmanager
    def _rewriting(self, events_dir: Path):  # type: ignore[no-untyped-def]
        """Hold `events_dir`'s rewrite lock: one merge or purge of its segments at a time,
        across processes."""
        lock = WriterLock(rewrite_lock_file(events_dir))
        lock.acquire(self.settings.rewrite_lock_timeout_s)
        try:
            yield
        finally:
            lock.release()

    # -- internals ---------------------------------------------------------------------

    def _prepare(self) -> None:
        # pyarrow imports pandas on its first conversion (about 1 s): pay it here, at start,
        # not in the first flush, which would then land a second late.
        arrow_batch([])
        events_dir = self.layout.events_dir
        events_dir.mkdir(parents=True, exist_ok=True)
        removed = remove_stale_temp_files(events_dir)
        if removed:
            log.warning("removed %d unfinished segment files left by a crash", removed)
        with self._connection() as con:
            self._quarantine_unreadable(con)
            segments = list_segments(events_dir)
            live = live_segments(segments)
            self._next_number = max((s.name.hi for s in segments), default=0) + 1
            if live:
                (top,) = con.execute(
                    f"SELECT max(seq) FROM read_parquet({file_list(s.path for s in live)}, "
                    "union_by_name = true)"
                ).fetchone() or (None,)
                self._next_seq = int(top or 0) + 1
            else:
                # The catalog's views need one file to exist; an empty one says the schema.
                self._write_numbered(con, empty_events_sql())
            self._recover_journal(con, live)
        try:
            write_catalog(self.layout.data_dir)
        except (OSError, duckdb.Error) as e:
            log.warning("could not refresh %s: %s", self.layout.catalog, e)
        self._ready = True

    def _recover_journal(self, con: duckdb.DuckDBPyConnection, live: list[Segment]) -> None:
        """Record the requests a stopped process forwarded but never recorded, exactly once."""
        if not self._journal_leftovers:
            return
        contents = read_journal(self._journal_leftovers)
        events = self._unrecorded(con, contents.events)
        if events:
            rows = [to_row(self._next_seq + i, as_interrupted(e)) for i, e in enumerate(events)]
            self._write_rows(rows)
            self._next_seq += len(rows)
            _log_recovered(len(rows), "")
        for path in contents.files:
            delete_journal_file(path)  # one left behind is harmless: its ids are stored now
        self._journal_leftovers = [p for p in self._journal_leftovers if p not in contents.files]

    def _unrecorded(
        self, con: duckdb.DuckDBPyConnection, found: dict[str, AuditEvent]
    ) -> list[AuditEvent]:
        """The journaled requests whose final event is nowhere in the lake, oldest first."""
        found = dict(found)
        lake = [s.path for s in live_lake_segments(self.layout.writer_dirs())]
        if found and lake:
            files = file_list(lake)
            since = min(e.time for e in found.values()) - _RECOVERY_MARGIN_S
            stored = con.execute(
                f"SELECT DISTINCT id FROM read_parquet({files}, union_by_name = true) "
                "WHERE type = 'request' AND time >= make_timestamp(?) "
                "AND id IN (SELECT unnest(?::VARCHAR[]))",
                [int(since * 1_000_000), list(found)],
            ).fetchall()
            for (event_id,) in stored:
                found.pop(event_id, None)
            # A person's purge must not be undone by records of theirs written before it. The
            # maintainer that did it recorded it in its own instance's segments.
            purges = con.execute(
                f"SELECT json_extract_string(details, '$.target_user') AS person, "
                f"epoch_us(max(time)) FROM read_parquet({files}, union_by_name = true) "
                "WHERE type = 'admin' AND action = 'purge_user' GROUP BY person"
            ).fetchall()
            purged_at = {person: us / 1_000_000 for person, us in purges if person}
            for event_id, event in list(found.items()):
                if event.user in purged_at and event.time <= purged_at[event.user]:
                    del found[event_id]
        return sorted(found.values(), key=lambda e: e.time)

    def adopt_orphan_journals(self) -> int:
        """The maintainer records what instances no process runs now left in their journals:
        a worker count that went down (`--workers 3` then 2), a single proxy that became
        workers or the other way round, a renamed `--instance`. Their own process would have
        recovered them at its next start, but none may ever start again. Returns how many
        requests were recorded."""
        recorded = 0
        for name, journal_dir in self._journal_dirs():
            if name == self.layout.instance or not journal_files(journal_dir):
                continue
            lock = WriterLock(StoreLayout(self.layout.data_dir, name).lock_file)
            try:
                lock.acquire(0.0)
            except StoreLocked:
                continue  # it runs: it recovered its own journal when it started
            try:
                with self._purge_lock:
                    recorded += self._adopt(name, journal_dir)
            finally:
                lock.release()
        return recorded

    def _adopt(self, name: str, journal_dir: Path) -> int:
        """Record one stopped instance's journal (its lock held); how many requests."""
        contents = read_journal(journal_files(journal_dir))  # again, under its lock
        with self._connection() as con:
            events = self._unrecorded(con, contents.events)
        for event in events:
            self.append(as_interrupted(event))
        if events and not self.flush():
            return 0  # not on disk: keep the journal and try again next round
        for path in contents.files:
            delete_journal_file(path)
        if events:
            _log_recovered(len(events), f" as instance {name or '(unnamed)'}")
        return len(events)

    def _journal_dirs(self) -> list[tuple[str, Path]]:
        """(instance, its journal directory) for every instance that has one."""
        root = StoreLayout(self.layout.data_dir).journal_dir
        try:
            names = sorted(p.name for p in root.iterdir() if p.is_dir())
        except FileNotFoundError:
            return []
        out = [("", root)]
        for name in names:
            with contextlib.suppress(ValueError):
                out.append((check_instance(name), root / name))
        return out

    def _quarantine_unreadable(self, con: duckdb.DuckDBPyConnection) -> None:
        for segment in live_segments(list_segments(self.layout.events_dir)):
            if readable(con, segment.path):
                continue
            self.layout.quarantine_dir.mkdir(exist_ok=True)
            segment.path.rename(self.layout.quarantine_dir / segment.path.name)
            log.error("moved unreadable segment %s to %s", segment.path, self.layout.quarantine_dir)

    @contextlib.contextmanager
    def _connection(self):  # type: ignore[no-untyped-def]
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET threads = {self.settings.duckdb_threads}")
            yield con
        finally:
            con.close()

    def _flush_loop(self) -> None:
        interval = self.settings.flush_interval_s
        next_due = time.monotonic() + interval
        while True:
            with self._cond:
                self._cond.wait_for(
                    functools.partial(self._flush_due, next_due),
                    timeout=max(0.0, next_due - time.monotonic()),
                )
                stopping = self._stop
                self._flush_requested = False
                self._cycles_begun += 1
                cycle = self._cycles_begun
            drained_at = time.monotonic()
            try:
                self._flush_once()
            except Exception:  # never let the thread die: the proxy depends on it
                log.exception("audit store flush failed unexpectedly")
            # Start the next flush early by the time this one took, so that it *ends* about
            # one interval after this one began: an event queued just after the queue was
            # taken is durable within ~one interval, even when a big batch takes a while.
            took = time.monotonic() - drained_at
            next_due = drained_at + max(interval - took, interval / 10)
            with self._cond:
                self._cycles_done = cycle
                self._cond.notify_all()
            if stopping:
                break
        if self._flush_con is not None:
            self._flush_con.close()
            # Dropped, not just closed: mitmproxy keeps its addons (and so this writer) until
            # the process ends, and a DuckDB object still referenced then is reported at exit
            # as "nanobind: leaked N instances!" (tests/addons/test_audit.py).
            self._flush_con = None

    def _flush_due(self, next_due: float) -> bool:
        return (
            self._stop
            or self._flush_requested
            # A failing store retries once per interval, not in a tight loop.
            or (self._healthy and len(self._queue) >= self.settings.max_batch)
            or time.monotonic() >= next_due
        )

    def _flush_once(self) -> None:
        if self._journal_error is not None:
            self._probe_journal()
        if not self._ready:
            try:
                self._prepare()
            except (OSError, duckdb.Error) as e:
                self._set_health(False, _describe(e))
                return
        # Everything queued when this cycle began is written now, as segments of at most
        # max_batch events, so flush() and close() leave nothing behind.
        backlog = len(self._queue)
        while True:
            taken = self._write_batch()
            if taken is None:
                return
            backlog -= taken
            if backlog <= 0 or not self._queue:
                return

    def _write_batch(self) -> int | None:
        """Write up to max_batch events; how many came off the queue, None on failure."""
        rows = self._retry_rows
        queue = self._queue
        room = max(0, self.settings.max_batch - len(rows))
        taken = 0
        while queue and taken < room:
            rows.append(to_row(self._next_seq, queue.popleft()))
            self._next_seq += 1
            taken += 1
        if not rows:
            if not self._healthy:
                self._probe()
            return 0
        try:
            self._write_rows(rows)
        except (OSError, duckdb.Error) as e:
            overflow = len(rows) - self.settings.max_pending
            if overflow > 0:
                del rows[:overflow]
                self._dropped += overflow
                log.error("audit store backlog full: dropped the %d oldest events", overflow)
            self._retry_rows = rows
            self._set_health(False, _describe(e))
            return None
        self._retry_rows = []
        self._set_health(True, None)
        self._journal.settle(row[_ID_IN_ROW] for row in rows)
        last_seq = int(rows[-1][0])
        for listener in self._flush_listeners:
            try:
                listener(last_seq, len(rows))
            except Exception:
                log.exception("flush listener failed")
        return taken

    def _write_rows(self, rows: list[tuple[Any, ...]]) -> None:
        con = self._staging()
        try:
            batch = arrow_batch(rows)
        except BadBatch:
            batch = None  # an odd value somewhere: the appender below coerces row by row
        if batch is not None:
            con.register(TABLE_NAME, batch)
            try:
                self._write_numbered(con, _ARROW_SELECT)
            finally:
                con.unregister(TABLE_NAME)
            return
        try:
            appender = con.appender("staging")
            try:
                appender.append_rows(rows)
            except (duckdb.Error, TypeError, ValueError):
                appender.clear()
                self._append_one_by_one(appender, rows)
            appender.flush()
            self._write_numbered(con, _STAGED_SELECT)
        finally:
            con.execute("DELETE FROM staging")

    @staticmethod
    def _append_one_by_one(appender: Any, rows: list[tuple[Any, ...]]) -> None:
        for row in rows:
            try:
                appender.append_row(*row)
            except (duckdb.Error, TypeError, ValueError):
                try:
                    appender.append_row(*coerce_row(row))
                except (duckdb.Error, TypeError, ValueError):
                    log.error("dropped an audit event that could not be stored: seq %s", row[0])

    def _write_numbered(self, con: duckdb.DuckDBPyConnection, select_sql: str) -> None:
        name = SegmentName(self._next_number, self._next_number, 0)
        write_segment(con, select_sql, self.layout.events_dir, name)
        self._next_number += 1

    def _staging(self) -> duckdb.DuckDBPyConnection:
        if self._flush_con is None:
            con = duckdb.connect(":memory:")
            con.execute(f"SET threads = {self.settings.duckdb_threads}")
            con.execute(f"CREATE TABLE staging ({_STAGING_COLUMNS})")
            self._flush_con = con
        return self._flush_con

    def _probe(self) -> None:
        """While failing with nothing to write, check whether the store is writable again."""
        probe = self.layout.events_dir / ".probe.tmp"
        try:
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as e:
            self._set_health(False, _describe(e))
            return
        self._set_health(True, None)

    def _probe_journal(self) -> None:
        """While the journal is failing, check whether a new journal file can be written."""
        try:
            self._journal.probe()
        except OSError as e:
            self._set_journal_error(f"request journal: {_describe(e)}")
            return
        self._set_journal_error(None)

    def _set_health(self, healthy: bool, error: str | None) -> None:
        """The segments' state, from the flush thread."""
        with self._health_lock:
            before = self.healthy, self.error
            self._healthy, self._error = healthy, error
            self._health_changed(*before)

    def _set_journal_error(self, error: str | None) -> None:
        """The journal's state, from the proxy's event loop or the flush thread's probe."""
        with self._health_lock:
            before = self.healthy, self.error
            self._journal_error = error
            self._health_changed(*before)

    def _health_changed(self, was_healthy: bool, was_error: str | None) -> None:
        healthy, error = self.healthy, self.error
        if healthy == was_healthy and (healthy or error == was_error):
            return
        if healthy:
            log.info("audit store is writable again")
        for listener in self._health_listeners:
            try:
                listener(healthy, error)
            except Exception:
                log.exception("health listener failed")

    def _maintenance_loop(self) -> None:
        settings = self.settings
        now = time.monotonic()
        next_compaction = now + settings.maintenance_interval_s
        next_retention = now + min(30.0, settings.retention_interval_s)
        next_adoption = now
        while not self._maintenance_stop.wait(0.5):
            if not self._ready:
                continue
            now = time.monotonic()
            try:
                maintainer = self.become_maintainer()
                if maintainer:
                    self._serve_requests()
                if maintainer and now >= next_adoption:
                    next_adoption = now + 5.0
                    self.adopt_orphan_journals()
                self._relay_purges()
                if now >= next_compaction:
                    next_compaction = now + settings.maintenance_interval_s
                    self.compact()
                    self.collect_garbage()
                if maintainer and now >= next_retention:
                    next_retention = now + settings.retention_interval_s
                    self.apply_retention()
            except (OSError, duckdb.Error, sqlite3.Error) as e:
                log.error("audit store maintenance failed: %s", _describe(e))
            except Exception:
                log.exception("audit store maintenance failed")

    def _admin_requests(self) -> AdminRequests:
        if self._requests is None:
            # Opened here, not at start: a writer in a CLI process never needs it.
            self._state_db = StateDB.for_data_dir(self.layout.data_dir)
            self._requests = SqliteAdminRequests(self._state_db)
        return self._requests

    def _relay_purges(self) -> None:
        """Tell this process's listeners of the purges another process did for the lake."""
        if not self._purge_listeners:
            return
        for request_id, user in self._admin_requests().purged_since(self._purges_since):
            if request_id in self._purges_seen:
                continue
            self._purges_seen.add(request_id)
            for listener in self._purge_listeners:
                try:
                    listener(user)
                except Exception:
                    log.exception("purge listener failed")

    def _serve_requests(self) -> None:
        requests = self._admin_requests()
        for request in requests.take():
            result: dict[str, Any]
            try:
                if request.action == "purge_user" and isinstance(request.params.get("user"), str):
                    alerts_removed = request.params.get("alerts_removed", 0)
                    done = self.purge_user(
                        request.params["user"],
                        request.actor,
                        alerts_removed if isinstance(alerts_removed, int) else 0,
                    )
                    result = {
                        "ok": True,
                        "events_removed": done.events_removed,
                        "segments_rewritten": done.segments_rewritten,
                    }
                else:
                    result = {"ok": False, "error": f"unknown request {request.action!r}"}
            except (OSError, duckdb.Error, StoreLocked) as e:
                result = {"ok": False, "error": _describe(e)}
            self._purges_seen.add(request.id)  # its listeners ran in purge_user()
            requests.answer(request.id, result)


def _log_recovered(count: int, where: str) -> None:
    log.warning(
        "recorded %d requests that were forwarded before the proxy stopped%s, without "
        "their answers (error: %r)",
        count,
        where,
        INTERRUPTED,
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror}{where}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__
