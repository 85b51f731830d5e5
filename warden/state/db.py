"""How every Warden process opens the shared state database.

The conventions the dashboard's review store started with, made strict for several writing
processes (proxy, dashboard, `warden alerts ...`, `warden logs purge`):

- WAL mode: readers never wait for the writer and the writer never waits for readers.
- busy_timeout: a writer that finds another process mid-transaction waits for it instead
  of failing at once; every transaction here is short (one batch, one counter, one claim),
  so the wait is milliseconds.
- BEGIN IMMEDIATE for every write: the write lock is taken up front, so two processes can
  never both read and then both fail to upgrade to writing (SQLITE_BUSY mid-transaction).
- synchronous=NORMAL: in WAL mode a power cut may lose the last commits but never corrupts
  the file; an fsync per alert or counter would cost more than the record is worth.
- secure_delete: a privacy purge overwrites what it deletes instead of leaving it in free
  pages; the purge then checkpoints the WAL so no older page image keeps it either.
- One connection per thread; sqlite3 connections are not shared between threads.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from warden.state.schema import SCHEMA, SCHEMA_VERSION

__all__ = ["FILE_NAME", "StateDB", "is_disk_full", "state_path"]

FILE_NAME = "state.sqlite3"
BUSY_TIMEOUT_S = 10.0


def state_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def is_disk_full(error: BaseException) -> bool:
    """SQLITE_FULL or ENOSPC: the write can succeed later, once space is back."""
    if isinstance(error, sqlite3.OperationalError):
        return "full" in str(error).lower() or getattr(error, "sqlite_errorcode", 0) == 13
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


class StateDB:
    """The state database of one data directory; opening it creates the tables."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._create_schema()

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> StateDB:
        return cls(state_path(data_dir))

    def _create_schema(self) -> None:
        con = self.connection()
        if con.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return  # the usual case: a reader opening the file takes no write lock
        # Statement by statement inside one transaction (executescript would commit first):
        # two processes opening a new file at once create the tables once.
        con.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit: transactions are explicit)."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA secure_delete=ON")
            con.row_factory = sqlite3.Row
            self._local.con = con
            with self._guard:
                self._connections.append(con)
        return con

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction: all of it is committed, or none of it."""
        con = self.connection()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot across several SELECTs."""
        con = self.connection()
        con.execute("BEGIN")
        try:
            yield con
        finally:
            with contextlib.suppress(sqlite3.Error):
                con.execute("COMMIT")

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it (after a privacy purge)."""
        self.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._guard:
            connections, self._connections = self._connections, []
        for con in connections:
            with contextlib.suppress(sqlite3.Error):
                con.close()
        self._local = threading.local()
