"""Overview: headline figures, the time series and breakdowns over the chosen window."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import OpenApp
from tests.dashboard.fixture_store import OLD_ALLOWED, RECENT_REQUESTS, RECENT_USERS


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_headline_figures_for_the_last_24_hours(open_app: OpenApp):
    at = open_app("viewer")
    assert metrics(at) == {
        "Requests": str(RECENT_REQUESTS),
        "Users": str(RECENT_USERS),
        "Tokens": "4.8k",
        "Cost": "$0.03",
        "Blocked": "2",
        "Redacted": "1",
    }


def test_all_time_includes_older_requests(open_app: OpenApp):
    at = open_app("viewer", window="All time")
    assert metrics(at)["Requests"] == str(RECENT_REQUESTS + OLD_ALLOWED)


def test_time_series_and_a_breakdown_per_dimension_are_drawn(open_app: OpenApp):
    at = open_app("viewer")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 + 5  # over time, then one per breakdown tab
    assert [t.label for t in at.tabs] == ["Provider", "Model", "App", "User", "Group"]
    group_table = at.tabs[4].dataframe[0].value
    assert set(group_table["Group"]) == {"staff", "engineering", "marketing"}
    assert int(group_table.loc[group_table["Group"] == "staff", "requests"].iloc[0]) == (
        RECENT_REQUESTS
    )


def test_switching_the_measure_redraws_the_chart_in_cost(open_app: OpenApp):
    at = open_app("viewer")
    at.get("button_group")[0].set_value("cost_usd").run()
    assert not at.exception
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "Cost (USD)" in spec


def test_an_empty_window_says_so(open_app: OpenApp, store):
    at = open_app("viewer", window="Last hour")
    assert metrics(at)["Requests"] == str(RECENT_REQUESTS)  # all recent ones are within it
    at.sidebar.selectbox(key="window.preset").select("Custom dates").run()
    at.sidebar.date_input(key="window.dates").set_value(
        (__import__("datetime").date(2020, 1, 1), __import__("datetime").date(2020, 1, 2))
    ).run()
    assert metrics(at)["Requests"] == "0"
    assert at.info[0].value == "No AI requests in this period yet."


def test_a_week_of_days_gets_one_tick_a_day_so_no_date_shows_twice():
    """Left to Vega, a 7-day axis had a tick every 12 hours and each "Dec 01" twice."""
    from datetime import UTC, datetime, timedelta

    import pandas as pd

    from dashboard.ui import charts

    days = [datetime(2026, 12, 1, tzinfo=UTC) + timedelta(days=i) for i in range(7)]
    frame = pd.DataFrame(
        [
            {"bucket": d, "outcome": "allowed", "requests": 1, "tokens": 1, "cost_usd": 0.0}
            for d in days
        ]
    ).assign(app="chatgpt-web")
    for chart in (charts.over_time(frame, "day"), charts.activity(frame, "day", "app", "x")):
        axis = chart.to_dict()["encoding"]["x"]["axis"]
        assert axis["tickCount"] == {"interval": "day", "step": 1}
        assert axis["format"] == "%b %d"
