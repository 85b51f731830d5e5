"""Shadow AI: which AI apps and hosts people use, decrypted or only seen as a tunnel."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.queries.timerange import TimeRange

__all__ = ["apps_seen", "hosts_seen", "users_of"]


def apps_seen(con: duckdb.DuckDBPyConnection, window: TimeRange) -> pd.DataFrame:
    """Per catalog app: requests (decrypted), visits (tunnels not decrypted), users, the
    standing recorded on the events, first and last seen."""
    where, params = window.where()
    return con.execute(
        f"""
        SELECT coalesce(app, '(unknown)') AS app, any_value(provider) AS provider,
               any_value(app_kind) AS kind,
               arg_max(sanctioned, time) AS recorded_status,
               count(*) FILTER (WHERE type = 'request') AS requests,
               count(*) FILTER (WHERE type = 'visit') AS visits,
               count(DISTINCT "user") AS users,
               count(DISTINCT host) AS hosts,
               count(*) FILTER (WHERE blocked) AS blocked,
               min(time) AS first_seen, max(time) AS last_seen
        FROM events WHERE type IN ('request', 'visit') AND {where}
        GROUP BY 1 ORDER BY users DESC, requests + visits DESC""",
        params,
    ).df()


def hosts_seen(con: duckdb.DuckDBPyConnection, window: TimeRange, limit: int = 500) -> pd.DataFrame:
    where, params = window.where()
    return con.execute(
        f"""
        SELECT host, coalesce(app, '(unknown)') AS app,
               count(*) FILTER (WHERE type = 'request') AS requests,
               count(*) FILTER (WHERE type = 'visit') AS visits,
               count(DISTINCT "user") AS users, max(time) AS last_seen
        FROM events WHERE type IN ('request', 'visit') AND {where}
        GROUP BY ALL ORDER BY users DESC, requests + visits DESC LIMIT ?""",
        [*params, limit],
    ).df()


def users_of(con: duckdb.DuckDBPyConnection, window: TimeRange, apps: tuple[str, ...]) -> int:
    """How many distinct people used any of `apps` in the window."""
    if not apps:
        return 0
    where, params = window.where()
    row = con.execute(
        f"""SELECT count(DISTINCT "user") FROM events
            WHERE type IN ('request', 'visit') AND list_contains(?, app) AND {where}""",
        [list(apps), *params],
    ).fetchone()
    return int(row[0]) if row else 0
