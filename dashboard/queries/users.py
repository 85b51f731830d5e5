"""Users page: per-user usage, cost, blocked attempts, alerts and a risk score.

Risk score, 0 to 100, from what a user did in the chosen window:

    points = 10 x (high + critical alerts) + 3 x (low + medium alerts)
           +  2 x blocked requests + 1 x requests with DLP findings
           +  0.5 x requests to unsanctioned apps
    risk   = round(100 x points / (points + 50))

Alerts weigh most because a detector or a rule already judged them; blocks say the person
tried something the policy forbids; findings and unsanctioned use are weaker signals. The
last step squashes the points onto 0-100 without a hard cap: 50 points is 50, 150 points is
75, and two users far past the scale still rank by their points. Bands: 60 and up high,
30 to 59 medium, below 30 low.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.queries.timerange import TimeRange, bucket_unit

__all__ = ["RISK_BANDS", "RISK_SQL", "per_user", "risk_band", "user_activity"]

POINTS_SQL = (
    "10 * alerts_high + 3 * alerts_other + 2 * blocked + 1 * with_findings + 0.5 * unsanctioned"
)
RISK_SQL = f"round(100 * ({POINTS_SQL}) / (({POINTS_SQL}) + 50))"
RISK_BANDS = ((60, "high"), (30, "medium"), (0, "low"))


def risk_band(score: float) -> str:
    return next(label for floor, label in RISK_BANDS if score >= floor)


def per_user(con: duckdb.DuckDBPyConnection, window: TimeRange, limit: int = 1000) -> pd.DataFrame:
    """One row per user active in the window, riskiest first."""
    where, params = window.where()
    start, end = window.epoch_bounds()
    return con.execute(
        f"""
        WITH usage AS (
            SELECT "user",
                   count(*) AS requests,
                   coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens,
                   coalesce(sum(cost_usd), 0) AS cost_usd,
                   count(*) FILTER (WHERE blocked) AS blocked,
                   count(*) FILTER (WHERE redaction IS NOT NULL) AS redacted,
                   count(*) FILTER (WHERE coalesce(finding_count, 0) > 0) AS with_findings,
                   count(*) FILTER (WHERE sanctioned = 'unsanctioned') AS unsanctioned,
                   count(DISTINCT app) AS apps,
                   max(time) AS last_seen
            FROM events WHERE type = 'request' AND "user" IS NOT NULL AND {where}
            GROUP BY "user"
        ), raised AS (
            SELECT "user",
                   count(*) FILTER (WHERE severity IN ('high', 'critical')) AS alerts_high,
                   count(*) FILTER (WHERE severity NOT IN ('high', 'critical')) AS alerts_other,
                   count(*) FILTER (WHERE state = 'open') AS alerts_open
            FROM alerts
            WHERE NOT coalesce(test, false)
              AND (?::DOUBLE IS NULL OR last_seen >= ?) AND (?::DOUBLE IS NULL OR first_seen < ?)
            GROUP BY "user"
        ), joined AS (
            SELECT u.*, coalesce(a.alerts_high, 0) AS alerts_high,
                   coalesce(a.alerts_other, 0) AS alerts_other,
                   coalesce(a.alerts_open, 0) AS alerts_open
            FROM usage u LEFT JOIN raised a USING ("user")
        )
        SELECT *, alerts_high + alerts_other AS alerts, {RISK_SQL} AS risk
        FROM joined ORDER BY risk DESC, requests DESC LIMIT ?""",
        [*params, start, start, end, end, limit],
    ).df()


def user_activity(
    con: duckdb.DuckDBPyConnection, window: TimeRange, user: str
) -> tuple[str, pd.DataFrame]:
    """(unit, one user's requests per time bucket and app), for the detail chart."""
    unit = bucket_unit(con, window)
    where, params = window.where()
    frame = con.execute(
        f"""
        SELECT date_trunc('{unit}', time) AS bucket, coalesce(app, '(unknown)') AS app,
               count(*) AS requests, count(*) FILTER (WHERE blocked) AS blocked
        FROM events WHERE type = 'request' AND "user" = ? AND {where}
        GROUP BY ALL ORDER BY bucket""",
        [user, *params],
    ).df()
    return unit, frame
