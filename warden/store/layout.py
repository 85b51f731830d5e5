"""Where the audit store keeps its files under the data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["StoreLayout"]


@dataclass(frozen=True, slots=True)
class StoreLayout:
    data_dir: Path

    @property
    def events_dir(self) -> Path:
        """Immutable Parquet segments: the events themselves."""
        return self.data_dir / "events"

    @property
    def journal_dir(self) -> Path:
        """Events of requests about to be forwarded, until their final event is in a segment."""
        return self.data_dir / "journal"

    @property
    def catalog(self) -> Path:
        """warden.duckdb: views over the segments, for the DuckDB shell."""
        return self.data_dir / "warden.duckdb"

    @property
    def lock_file(self) -> Path:
        """Held (flock) by the one process allowed to change the segments."""
        return self.events_dir / ".writer.lock"

    @property
    def quarantine_dir(self) -> Path:
        """Segments found unreadable at start-up, moved aside so the store stays readable."""
        return self.events_dir / "quarantine"
