"""The dashboard's charts (Altair), with one colour per outcome everywhere."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.queries.outcome import OUTCOMES

__all__ = ["PALETTES", "activity", "bars", "breakdown", "outcome_colors", "over_time", "rate_line"]

_OUTCOME_COLORS = {
    "allowed": "#4c78a8",
    "flagged": "#eeca3b",
    "redacted": "#b279a2",
    "coached": "#f58518",
    "blocked": "#e45756",
}
_STATUS_COLORS = {
    "sanctioned": "#54a24b",
    "tolerated": "#eeca3b",
    "unsanctioned": "#e45756",
    "unknown": "#9d9d9d",
}
_TIME_FORMAT = {"minute": "%H:%M", "hour": "%b %d %H:00", "day": "%b %d"}


def _time_axis(unit: str) -> alt.Axis:
    """Ticks on whole buckets: left to itself Vega puts a tick every 12 hours on a week of
    days, and "%b %d" then shows every date twice."""
    fmt = _TIME_FORMAT.get(unit, "%b %d")
    if unit in ("day", "hour", "minute"):
        return alt.Axis(format=fmt, tickCount={"interval": unit, "step": 1})
    return alt.Axis(format=fmt)


def outcome_colors() -> alt.Scale:
    return alt.Scale(domain=list(OUTCOMES), range=[_OUTCOME_COLORS[o] for o in OUTCOMES])


def over_time(frame: pd.DataFrame, unit: str, measure: str = "requests") -> alt.Chart:
    """Stacked bars per time bucket, one colour per outcome."""
    title = {"requests": "Requests", "tokens": "Tokens", "cost_usd": "Cost (USD)"}[measure]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("bucket:T", title=None, axis=_time_axis(unit)),
            y=alt.Y(f"sum({measure}):Q", title=title),
            color=alt.Color("outcome:N", scale=outcome_colors(), title="Outcome"),
            order=alt.Order("outcome_rank:Q"),
            tooltip=[
                alt.Tooltip("bucket:T", title=unit.capitalize()),
                "outcome:N",
                alt.Tooltip(
                    f"sum({measure}):Q",
                    title=title,
                    format=",.2f" if measure == "cost_usd" else ",",
                ),
            ],
        )
        .transform_calculate(
            outcome_rank=" + ".join(
                f"(datum.outcome == '{o}') * {i}" for i, o in enumerate(OUTCOMES)
            )
        )
        .properties(height=260)
    )


_RISK_COLORS = {"high": "#e45756", "medium": "#f58518", "low": "#54a24b"}
PALETTES = {"status": _STATUS_COLORS, "risk": _RISK_COLORS}


def bars(
    frame: pd.DataFrame,
    key: str,
    value: str,
    title: str,
    color: str | None = None,
    palette: str = "status",
    height: int | None = None,
) -> alt.Chart:
    """Horizontal bars, biggest on top; `color` names a column whose values the palette
    ("status": sanctioned/tolerated/unsanctioned, "risk": high/medium/low) colours."""
    encoding: dict[str, object] = {
        "y": alt.Y(
            f"{key}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=240)
        ),
        "x": alt.X(f"{value}:Q", title=title),
        "tooltip": [f"{key}:N", alt.Tooltip(f"{value}:Q", format=",")],
    }
    if color is not None:
        colors = PALETTES[palette]
        encoding["color"] = alt.Color(
            f"{color}:N",
            scale=alt.Scale(domain=list(colors), range=list(colors.values())),
            title=palette.capitalize(),
        )
    chart = alt.Chart(frame).mark_bar().encode(**encoding)
    return chart.properties(height=height or max(120, 26 * len(frame)))


def rate_line(frame: pd.DataFrame, x: str, y: str, title: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_area(line=True, opacity=0.3)
        .encode(
            x=alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%H:%M")),
            y=alt.Y(f"{y}:Q", title=title),
            tooltip=[alt.Tooltip(f"{x}:T", format="%H:%M"), alt.Tooltip(f"{y}:Q", title=title)],
        )
        .properties(height=200)
    )


def breakdown(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Requests per key as one bar each, split by outcome as the time chart is (a coached or
    flagged request was once counted as allowed here)."""
    parts = frame.melt(
        id_vars=["key"],
        value_vars=list(OUTCOMES),
        var_name="outcome",
        value_name="count",
    )
    order = frame.sort_values("requests", ascending=False)["key"].tolist()
    return (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            y=alt.Y(
                "key:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200)
            ),
            x=alt.X("sum(count):Q", title=title),
            color=alt.Color("outcome:N", scale=outcome_colors(), title="Outcome"),
            tooltip=["key:N", "outcome:N", alt.Tooltip("sum(count):Q", format=",")],
        )
        .properties(height=max(120, 24 * len(order)))
    )


def activity(frame: pd.DataFrame, unit: str, color: str, title: str) -> alt.Chart:
    """Requests per time bucket, stacked by the values of `color` (e.g. app)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("bucket:T", title=None, axis=_time_axis(unit)),
            y=alt.Y("sum(requests):Q", title=title),
            color=alt.Color(f"{color}:N", title=color.capitalize()),
            tooltip=[
                alt.Tooltip("bucket:T", title=unit.capitalize()),
                f"{color}:N",
                alt.Tooltip("sum(requests):Q", format=","),
            ],
        )
        .properties(height=220)
    )
