"""Review queue: blocked, coached, redacted and flagged requests, with their review state.

Rows never carry prompt text or finding previews: the queue table and the CSV export are
metadata. The detail query returns them, and the page decides who may see them.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from dashboard.queries.outcome import OUTCOME_SQL, REVIEW_OUTCOMES
from dashboard.queries.timerange import TimeRange
from warden.store.reader import rows_as_dicts

__all__ = [
    "ReviewFilter",
    "detail",
    "export_csv",
    "filter_options",
    "queue",
    "queue_size",
]


class ReviewFilter(NamedTuple):
    """Empty tuples mean "any". Hashable, so Streamlit's cache can key on it."""

    outcomes: tuple[str, ...] = REVIEW_OUTCOMES
    states: tuple[str, ...] = ()
    user: str = ""  # substring, any case
    apps: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    finding_types: tuple[str, ...] = ()


# The review columns (review_state, reviewed_by, ...) share no name with the events
# columns, so OUTCOME_SQL's bare column names stay unambiguous in the join.
_ROWS = f"""
    SELECT e.time, e.id, e."user", e.groups, e.provider, e.app, e.host, e.model,
           {OUTCOME_SQL} AS outcome, e.action, e.rule_id, e.reason, e.status,
           coalesce(e.finding_count, 0) AS findings, e.finding_types,
           coalesce(r.review_state, 'open') AS state, r.reviewed_by,
           to_timestamp(r.reviewed_at)::TIMESTAMP AS reviewed_at
    FROM events e LEFT JOIN reviews r ON r.event_id = e.id
"""

_EXPORT_COLUMNS = (
    "time",
    "id",
    "user",
    "groups",
    "provider",
    "app",
    "host",
    "model",
    "outcome",
    "action",
    "rule_id",
    "reason",
    "status",
    "findings",
    "finding_types",
    "state",
    "reviewed_by",
    "reviewed_at",
)


def _where(window: TimeRange, f: ReviewFilter) -> tuple[str, list[Any]]:
    time_sql, params = window.where("e.time")
    parts = ["e.type = 'request'", time_sql]
    outcomes = f.outcomes or REVIEW_OUTCOMES
    parts.append(f"list_contains(?, {OUTCOME_SQL})")
    params.append(list(outcomes))
    if f.states:
        parts.append("list_contains(?, coalesce(r.review_state, 'open'))")
        params.append(list(f.states))
    if f.user.strip():
        parts.append("""e."user" ILIKE ?""")
        params.append(f"%{f.user.strip()}%")
    if f.apps:
        parts.append("list_contains(?, e.app)")
        params.append(list(f.apps))
    if f.rules:
        parts.append("list_contains(?, e.rule_id)")
        params.append(list(f.rules))
    if f.finding_types:
        parts.append("list_has_any(e.finding_types, ?)")
        params.append(list(f.finding_types))
    return " AND ".join(parts), params


def queue(
    con: duckdb.DuckDBPyConnection, window: TimeRange, f: ReviewFilter, limit: int = 500
) -> pd.DataFrame:
    """The newest `limit` matching requests."""
    where, params = _where(window, f)
    return con.execute(f"{_ROWS} WHERE {where} ORDER BY e.time DESC LIMIT ?", [*params, limit]).df()


def queue_size(con: duckdb.DuckDBPyConnection, window: TimeRange, f: ReviewFilter) -> int:
    where, params = _where(window, f)
    row = con.execute(
        f"SELECT count(*) FROM events e LEFT JOIN reviews r ON r.event_id = e.id WHERE {where}",
        params,
    ).fetchone()
    return int(row[0]) if row else 0


def export_csv(
    con: duckdb.DuckDBPyConnection, window: TimeRange, f: ReviewFilter, limit: int = 100_000
) -> str:
    """Every matching request (up to `limit`), oldest first, as CSV: metadata only."""
    where, params = _where(window, f)
    frame = con.execute(
        f"SELECT * FROM ({_ROWS} WHERE {where} ORDER BY e.time LIMIT ?)", [*params, limit]
    ).df()
    frame = frame[list(_EXPORT_COLUMNS)]
    for column in ("groups", "finding_types"):
        frame[column] = frame[column].map(lambda v: ";".join(v) if v is not None else "")
    return str(frame.to_csv(index=False))


def filter_options(con: duckdb.DuckDBPyConnection, window: TimeRange) -> dict[str, list[str]]:
    """Values present in the queue for the window: what the filter boxes offer."""
    where, params = _where(window, ReviewFilter())
    row = con.execute(
        f"""
        SELECT list(DISTINCT e.app ORDER BY e.app) FILTER (WHERE e.app IS NOT NULL),
               list(DISTINCT e.rule_id ORDER BY e.rule_id) FILTER (WHERE e.rule_id IS NOT NULL),
               flatten(list(DISTINCT e.finding_types))
        FROM events e LEFT JOIN reviews r ON r.event_id = e.id WHERE {where}""",
        params,
    ).fetchone()
    apps, rules, types = row or (None, None, None)
    return {
        "apps": list(apps or []),
        "rules": list(rules or []),
        "finding_types": sorted({t for t in types or [] if t}),
    }


def detail(con: duckdb.DuckDBPyConnection, event_id: str) -> dict[str, Any] | None:
    """Everything recorded for one request, JSON columns parsed, plus its review state."""
    con.execute(
        f"""
        SELECT e.*, {OUTCOME_SQL} AS outcome,
               coalesce(r.review_state, 'open') AS review_state, r.reviewed_by, r.reviewed_at,
               r.review_note
        FROM events e LEFT JOIN reviews r ON r.event_id = e.id
        WHERE e.id = ? ORDER BY e.seq DESC LIMIT 1""",
        [event_id],
    )
    rows = rows_as_dicts(con)
    if not rows:
        return None
    row = rows[0]
    for key in ("findings", "redaction", "decision", "quota", "rejected", "details"):
        if isinstance(row.get(key), str):  # a JSON column DuckDB handed back as text
            row[key] = json.loads(row[key])
    return row
