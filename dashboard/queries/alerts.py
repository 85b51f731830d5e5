"""Alerts inbox: the alert store's `alerts` view (one row per alert, current state)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from warden.store.reader import rows_as_dicts

__all__ = [
    "AlertFilter",
    "alert_detail",
    "alert_options",
    "alert_rows",
    "deliveries_by_sink",
    "state_counts",
]

SEVERITY_ORDER = (
    "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 "
    "WHEN 'low' THEN 1 ELSE 0 END"
)


class AlertFilter(NamedTuple):
    states: tuple[str, ...] = ("open",)
    severities: tuple[str, ...] = ()
    detectors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    user: str = ""


def _where(f: AlertFilter) -> tuple[str, list[Any]]:
    parts: list[str] = ["NOT coalesce(test, false)"]
    params: list[Any] = []
    for column, values in (
        ("state", f.states),
        ("severity", f.severities),
        ("detector", f.detectors),
        ("category", f.categories),
    ):
        if values:
            parts.append(f"list_contains(?, {column})")
            params.append(list(values))
    if f.user.strip():
        parts.append('"user" ILIKE ?')
        params.append(f"%{f.user.strip()}%")
    return " AND ".join(parts), params


def alert_rows(con: duckdb.DuckDBPyConnection, f: AlertFilter, limit: int = 500) -> pd.DataFrame:
    where, params = _where(f)
    return con.execute(
        f"""
        SELECT id, to_timestamp(last_seen)::TIMESTAMP AS last_seen, severity, title, detector,
               category, "user", coalesce(app_name, app) AS app, count, state, state_by,
               to_timestamp(state_at)::TIMESTAMP AS state_at, state_note
        FROM alerts WHERE {where}
        ORDER BY {SEVERITY_ORDER} DESC, last_seen DESC LIMIT ?""",
        [*params, limit],
    ).df()


def state_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        "SELECT state, count(*) FROM alerts WHERE NOT coalesce(test, false) GROUP BY state"
    ).fetchall()
    counts = {"open": 0, "acknowledged": 0, "resolved": 0}
    counts.update({str(state): int(n) for state, n in rows})
    return counts


def alert_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    row = con.execute(
        """SELECT list(DISTINCT detector ORDER BY detector) FILTER (WHERE detector IS NOT NULL),
                  list(DISTINCT category ORDER BY category) FILTER (WHERE category IS NOT NULL)
           FROM alerts WHERE NOT coalesce(test, false)"""
    ).fetchone()
    detectors, categories = row or (None, None)
    return {"detectors": list(detectors or []), "categories": list(categories or [])}


def deliveries_by_sink(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per sink: outcome of each alert's latest attempt, the last success and last error."""
    return con.execute(
        """
        WITH latest AS (
            SELECT * FROM alert_deliveries
            QUALIFY row_number() OVER (PARTITION BY alert_id, sink, kind ORDER BY "at" DESC) = 1
        )
        SELECT sink,
               count(*) FILTER (WHERE state = 'delivered') AS delivered,
               count(*) FILTER (WHERE state IN ('pending', 'retrying')) AS pending,
               count(*) FILTER (WHERE state = 'failed') AS failed,
               to_timestamp(max(delivered_at))::TIMESTAMP AS last_delivered,
               to_timestamp(max("at"))::TIMESTAMP AS last_attempt,
               arg_max(state, "at") AS last_state,
               arg_max(last_error, "at") FILTER (WHERE last_error IS NOT NULL) AS last_error
        FROM latest GROUP BY sink ORDER BY sink"""
    ).df()


def alert_detail(con: duckdb.DuckDBPyConnection, alert_id: str) -> dict[str, Any] | None:
    """The alert's latest snapshot with its state history and latest delivery per sink."""
    con.execute("SELECT * FROM alerts WHERE id = ?", [alert_id])
    rows = rows_as_dicts(con)
    if not rows:
        return None
    alert = rows[0]
    for key in ("reasons", "evidence", "metrics"):
        if isinstance(alert.get(key), str):
            alert[key] = json.loads(alert[key])
    con.execute(
        'SELECT to_timestamp("at")::TIMESTAMP AS "when", state, who, note '
        'FROM alert_states WHERE alert_id = ? ORDER BY "at"',
        [alert_id],
    )
    alert["history"] = rows_as_dicts(con)
    con.execute(
        """SELECT sink, kind, state, attempts, last_error,
                  to_timestamp(delivered_at)::TIMESTAMP AS delivered_at
           FROM alert_deliveries WHERE alert_id = ?
           QUALIFY row_number() OVER (PARTITION BY sink, kind ORDER BY "at" DESC) = 1
           ORDER BY sink""",
        [alert_id],
    )
    alert["deliveries"] = rows_as_dicts(con)
    return alert
