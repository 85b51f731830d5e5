"""Where the audit store keeps its files under the data directory.

One data directory is one audit lake, and a lake may have several writers: the workers of
`warden run --workers N` and the instances of a fleet that share the directory. Each writer
is an *instance* with its own segments and journal, so no two processes ever number or
rewrite the same files:

    events/                 the unnamed instance (a single `warden run`), as before
    events/<instance>/      a named one (`w1`, `w2`, `edge-a-w1`, ...)
    journal/, journal/<instance>/

Readers see the union of every instance's live segments. Retention and privacy purges are
done by one elected maintainer for the whole lake (writer.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["QUARANTINE", "StoreLayout", "check_instance", "rewrite_lock_file"]

QUARANTINE = "quarantine"
# No dot: a name must never look like a file the store lists by name (seg-*.parquet,
# *.tmp, .writer.lock), or a directory could pass for a segment and supersede real ones.
_INSTANCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def check_instance(name: str) -> str:
    """`name` if it can name an instance's directory; ValueError saying why not."""
    if not _INSTANCE.fullmatch(name) or name == QUARANTINE or name.startswith("seg-"):
        raise ValueError(
            f"instance name {name!r}: 1-64 letters, digits, '_' or '-', starting with a "
            f"letter or digit, not {QUARANTINE!r} and not starting with 'seg-'"
        )
    return name


def rewrite_lock_file(events_dir: Path) -> Path:
    """Held (flock) while an instance's segments are merged or purged: by its writer
    compacting, or by the lake's maintainer purging."""
    return events_dir / ".rewrite.lock"


@dataclass(frozen=True, slots=True)
class StoreLayout:
    data_dir: Path
    instance: str = ""  # "": the unnamed instance, whose files are at the top level

    def __post_init__(self) -> None:
        if self.instance:
            check_instance(self.instance)

    @property
    def events_root(self) -> Path:
        """The whole lake's events: the unnamed instance's segments and one directory per
        named instance."""
        return self.data_dir / "events"

    @property
    def events_dir(self) -> Path:
        """This instance's immutable Parquet segments: the events themselves."""
        root = self.events_root
        return root / self.instance if self.instance else root

    @property
    def journal_dir(self) -> Path:
        """This instance's events of requests about to be forwarded, until their final event
        is in a segment."""
        root = self.data_dir / "journal"
        return root / self.instance if self.instance else root

    @property
    def catalog(self) -> Path:
        """warden.duckdb: views over the segments, for the DuckDB shell."""
        return self.data_dir / "warden.duckdb"

    @property
    def lock_file(self) -> Path:
        """Held (flock) by the one process allowed to add segments to this instance."""
        return self.events_dir / ".writer.lock"

    @property
    def rewrite_lock_file(self) -> Path:
        return rewrite_lock_file(self.events_dir)

    @property
    def maintainer_lock_file(self) -> Path:
        """Held (flock) by the one process that runs retention and purges for the lake."""
        return self.events_root / ".maintainer.lock"

    @property
    def quarantine_dir(self) -> Path:
        """Segments found unreadable at start-up, moved aside so the store stays readable."""
        return self.events_dir / QUARANTINE

    def writer_dirs(self) -> list[Path]:
        """Every instance's segment directory in the lake, the unnamed one first."""
        root = self.events_root
        try:
            names = sorted(p.name for p in root.iterdir() if p.is_dir())
        except FileNotFoundError:
            return []
        return [root] + [root / n for n in names if _INSTANCE.fullmatch(n) and n != QUARANTINE]
