"""The time window a page looks at, as SQL over the `time` column (UTC, TIMESTAMP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import duckdb

__all__ = ["PRESETS", "TimeRange", "bucket_unit"]

# Label -> how far back from now; None is all time.
PRESETS: dict[str, timedelta | None] = {
    "Last hour": timedelta(hours=1),
    "Last 24 hours": timedelta(days=1),
    "Last 7 days": timedelta(days=7),
    "Last 30 days": timedelta(days=30),
    "All time": None,
}


class TimeRange(NamedTuple):
    """[start, end) in naive UTC, like the store's column; None leaves that side open.

    A NamedTuple of datetimes so that Streamlit's cache can hash it as part of a key.
    """

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def last(cls, span: timedelta | None, now: datetime | None = None) -> TimeRange:
        if span is None:
            return cls()
        end = _naive_utc(now or datetime.now(UTC))
        # Whole minutes, so that reruns within the same minute share cache entries.
        end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return cls(end - span, end)

    def where(self, column: str = "time") -> tuple[str, list[Any]]:
        parts, params = ["true"], []
        if self.start is not None:
            parts.append(f"{column} >= ?")
            params.append(self.start)
        if self.end is not None:
            parts.append(f"{column} < ?")
            params.append(self.end)
        return " AND ".join(parts), params

    def epoch_bounds(self) -> tuple[float | None, float | None]:
        """The same window in epoch seconds, for sources that keep time that way (alerts)."""

        def epoch(value: datetime | None) -> float | None:
            return value.replace(tzinfo=UTC).timestamp() if value is not None else None

        return epoch(self.start), epoch(self.end)


def bucket_unit(con: duckdb.DuckDBPyConnection, window: TimeRange) -> str:
    """minute, hour or day: whatever gives a readable number of points for the window."""
    start, end = window.start, window.end
    if start is None or end is None:
        where, params = window.where()
        row = con.execute(
            f"SELECT min(time), max(time) FROM events WHERE type = 'request' AND {where}", params
        ).fetchone()
        start = start or (row[0] if row else None)
        end = end or (row[1] if row else None)
    if start is None or end is None:
        return "hour"
    span = end - start
    if span <= timedelta(hours=3):
        return "minute"
    if span <= timedelta(days=3):
        return "hour"
    return "day"


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value
