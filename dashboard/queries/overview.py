"""Overview: headline figures, traffic over time by outcome, and breakdowns."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from dashboard.queries.outcome import OUTCOME_SQL, OUTCOMES
from dashboard.queries.timerange import TimeRange, bucket_unit

__all__ = ["DIMENSIONS", "breakdowns", "headline", "timeseries"]

# Breakdown name -> column; "group" unnests the groups list.
DIMENSIONS = {"provider": "provider", "model": "model", "app": "app", "user": '"user"'}


def headline(con: duckdb.DuckDBPyConnection, window: TimeRange) -> dict[str, Any]:
    where, params = window.where()
    row = con.execute(
        f"""
        SELECT
            count(*) FILTER (WHERE type = 'request') AS requests,
            count(DISTINCT "user") FILTER (WHERE type = 'request') AS users,
            coalesce(sum(input_tokens), 0) AS input_tokens,
            coalesce(sum(output_tokens), 0) AS output_tokens,
            coalesce(sum(cost_usd), 0) AS cost_usd,
            count(*) FILTER (WHERE blocked) AS blocked,
            count(*) FILTER (WHERE redaction IS NOT NULL) AS redacted,
            count(*) FILTER (WHERE action = 'coach') AS coached,
            count(*) FILTER (WHERE coalesce(finding_count, 0) > 0) AS with_findings,
            count(*) FILTER (WHERE type = 'visit') AS visits
        FROM events WHERE type IN ('request', 'visit') AND {where}""",
        params,
    ).fetchone()
    names = [d[0] for d in con.description or ()]
    return dict(zip(names, row or (), strict=True))


def timeseries(con: duckdb.DuckDBPyConnection, window: TimeRange) -> tuple[str, pd.DataFrame]:
    """(unit, rows of bucket, outcome, requests, tokens, cost_usd)."""
    unit = bucket_unit(con, window)
    where, params = window.where()
    frame = con.execute(
        f"""
        SELECT date_trunc('{unit}', time) AS bucket, {OUTCOME_SQL} AS outcome,
               count(*) AS requests,
               coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens,
               coalesce(sum(cost_usd), 0) AS cost_usd
        FROM events WHERE type = 'request' AND {where}
        GROUP BY ALL ORDER BY bucket""",
        params,
    ).df()
    return unit, frame


def breakdowns(con: duckdb.DuckDBPyConnection, window: TimeRange, top: int = 25) -> pd.DataFrame:
    """Rows of dimension, key, requests, users, tokens, cost_usd and one count per outcome
    (allowed, flagged, redacted, coached, blocked: each request in exactly one, as on the
    time chart, so they add up to requests), the `top` keys of each dimension by requests:
    one scan for provider, model, app and user (grouping sets), one for the unnested groups."""
    where, params = window.where()
    per_outcome = ",\n        ".join(
        f"count(*) FILTER (WHERE {OUTCOME_SQL} = '{outcome}') AS {outcome}" for outcome in OUTCOMES
    )
    measures = f"""count(*) AS requests, count(DISTINCT "user") AS users,
        coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens,
        coalesce(sum(cost_usd), 0) AS cost_usd,
        {per_outcome}"""
    sets = ", ".join(f"({column})" for column in DIMENSIONS.values())
    picks = " ".join(
        f"WHEN grouping({column}) = 0 THEN '{name}'" for name, column in DIMENSIONS.items()
    )
    key = "coalesce(" + ", ".join(f"CAST({c} AS VARCHAR)" for c in DIMENSIONS.values()) + ")"
    return con.execute(
        f"""
        SELECT * FROM (
        SELECT CASE {picks} END AS dimension, coalesce({key}, '(none)') AS key, {measures}
        FROM events WHERE type = 'request' AND {where}
        GROUP BY GROUPING SETS ({sets})
        UNION ALL
        SELECT 'group' AS dimension, coalesce("group", '(no group)') AS key, {measures}
        FROM (
            SELECT *, unnest(CASE WHEN len(groups) = 0 OR groups IS NULL
                                  THEN [NULL] ELSE groups END) AS "group"
            FROM events WHERE type = 'request' AND {where}
        )
        GROUP BY "group"
        )
        QUALIFY row_number() OVER (PARTITION BY dimension ORDER BY requests DESC) <= ?
        ORDER BY dimension, requests DESC""",
        [*params, *params, top],
    ).df()
