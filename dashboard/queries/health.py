"""Health page: how fast events arrive and how recent the newest one is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

__all__ = ["events_per_minute", "latest_event"]


def events_per_minute(
    con: duckdb.DuckDBPyConnection, now: datetime | None = None, minutes: int = 60
) -> pd.DataFrame:
    """Events recorded per minute over the last `minutes`, zero-filled, oldest first."""
    end = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    return con.execute(
        """
        WITH minutes AS (
            SELECT unnest(range(?::TIMESTAMP, ?::TIMESTAMP, INTERVAL 1 MINUTE)) AS minute
        ), counted AS (
            SELECT date_trunc('minute', time) AS minute, count(*) AS events
            FROM events WHERE time >= ? AND time < ? AND type IN ('request', 'visit')
            GROUP BY 1
        )
        SELECT m.minute, coalesce(c.events, 0) AS events
        FROM minutes m LEFT JOIN counted c USING (minute) ORDER BY m.minute""",
        [start, end, start, end],
    ).df()


def latest_event(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    row = con.execute(
        "SELECT max(time), max(seq), count(*) FROM events WHERE type IN ('request', 'visit')"
    ).fetchone()
    newest, seq, total = row or (None, None, 0)
    return {"newest": newest, "last_seq": seq, "events": int(total or 0)}
