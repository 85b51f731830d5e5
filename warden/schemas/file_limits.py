"""How much work reading one uploaded file may take, and the running account against it.

Reading a file can multiply it (a zip bomb, a sparse spreadsheet, a PDF of tiny streams), so
every step that produces bytes, characters, members, cells or pages charges a `Budget` first.
A limit that is hit makes the part being read unreadable; it never raises past `read_file`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Budget", "FileLimits", "OverLimit", "Unreadable"]

_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileLimits:
    """Ceilings for reading one file, everything nested inside it included."""

    # Above the proxy's 10 MiB body limit, so any plain text file that gets in is read whole.
    max_chars: int = 20_000_000
    # Archive members and document package parts, counted over all nesting levels (a
    # document's parts count twice: its reader opens them, and they are also read raw).
    max_members: int = 5_000
    max_member_bytes: int = 32 * _MIB
    max_total_bytes: int = 128 * _MIB
    # Levels below the file itself: its members are at depth 1, theirs at depth 2.
    max_depth: int = 3
    max_pdf_pages: int = 2_000
    # Spreadsheet cells visited, empty ones included: a sparse sheet pads every row.
    max_cells: int = 5_000_000
    # Checked between pages, members and rows: one parser call is not interrupted.
    max_seconds: float = 20.0


DEFAULT_LIMITS = FileLimits()


class Unreadable(Exception):
    """This part cannot be read; `reason` says why and never quotes the content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OverLimit(Unreadable):
    """A limit was reached; once a shared one is, nothing more of the file is read."""


class Budget:
    """What is left of the limits while one file (and all it contains) is read."""

    def __init__(self, limits: FileLimits) -> None:
        self.limits = limits
        self._chars = limits.max_chars
        self._bytes = limits.max_total_bytes
        self._members = limits.max_members
        self._cells = limits.max_cells
        self._deadline = time.monotonic() + limits.max_seconds
        # Set when a limit shared by the whole file is reached: later parts are not read.
        self.exhausted: str | None = None

    def _spent(self, what: str) -> OverLimit:
        self.exhausted = f"over the extraction limit ({what})"
        return OverLimit(self.exhausted)

    def check(self) -> None:
        if self.exhausted:
            raise OverLimit(self.exhausted)
        if time.monotonic() > self._deadline:
            raise self._spent(f"more than {self.limits.max_seconds:g} seconds")

    def chars(self, n: int) -> None:
        self._chars -= n
        if self._chars < 0:
            raise self._spent(f"more than {self.limits.max_chars:,} characters")

    def member(self) -> None:
        self._members -= 1
        if self._members < 0:
            raise self._spent(f"more than {self.limits.max_members:,} members")

    def cells(self, n: int) -> None:
        self._cells -= n
        if self._cells < 0:
            raise self._spent(f"more than {self.limits.max_cells:,} spreadsheet cells")

    def room(self) -> int:
        """Bytes one member may decompress to now."""
        return max(0, min(self.limits.max_member_bytes, self._bytes))

    def bytes(self, n: int) -> None:
        """Charge `n` decompressed bytes; refuse a member larger than one member may be."""
        if n > self.limits.max_member_bytes:
            raise OverLimit(
                f"over the extraction limit (more than {self.limits.max_member_bytes:,} bytes)"
            )
        self._bytes -= n
        if self._bytes < 0:
            raise self._spent(f"more than {self.limits.max_total_bytes:,} bytes in all")
