"""Overview: how much AI traffic, from whom, to where, and what the policy did with it."""

from __future__ import annotations

import streamlit as st

from dashboard.auth.roles import Role
from dashboard.queries import overview
from dashboard.queries.cache import load
from dashboard.ui import charts
from dashboard.ui.frame import page_frame
from dashboard.ui.numbers import compact, usd
from dashboard.ui.refresh import auto_refresh

frame = page_frame(Role.VIEWER)
settings = frame.settings
label, window = frame.label, frame.window

st.title("Overview")
st.caption(f"AI requests through Warden, {label} (UTC).")

MEASURES = {"requests": "Requests", "tokens": "Tokens", "cost_usd": "Cost"}
TABS = {"provider": "Provider", "model": "Model", "app": "App", "user": "User", "group": "Group"}


def body() -> None:
    head = load(overview.headline, settings.data_dir, window)
    figures = st.columns(6)
    figures[0].metric("Requests", compact(head["requests"]))
    figures[1].metric("Users", compact(head["users"]))
    figures[2].metric("Tokens", compact(head["input_tokens"] + head["output_tokens"]))
    figures[3].metric("Cost", usd(head["cost_usd"]))
    figures[4].metric("Blocked", compact(head["blocked"]))
    figures[5].metric("Redacted", compact(head["redacted"]))
    if not head["requests"]:
        st.info("No AI requests in this period yet.")
        return

    unit, series = load(overview.timeseries, settings.data_dir, window)
    measure = (
        st.segmented_control(
            "Show",
            list(MEASURES),
            format_func=MEASURES.__getitem__,
            default="requests",
            key="overview.measure",
        )
        or "requests"
    )
    st.altair_chart(charts.over_time(series, unit, measure), width="stretch")

    st.subheader("Breakdown")
    frame = load(overview.breakdowns, settings.data_dir, window)
    for tab, dimension in zip(st.tabs(list(TABS.values())), TABS, strict=True):
        part = frame[frame["dimension"] == dimension]
        with tab:
            if part.empty:
                st.caption("Nothing recorded.")
                continue
            chart_col, table_col = st.columns([3, 2])
            chart_col.altair_chart(charts.breakdown(part, "Requests"), width="stretch")
            table_col.dataframe(
                part.drop(columns=["dimension"]).rename(columns={"key": TABS[dimension]}),
                hide_index=True,
                column_config={
                    "cost_usd": st.column_config.NumberColumn("Cost", format="$%.2f"),
                    "tokens": st.column_config.NumberColumn("Tokens", format="compact"),
                },
            )
    st.caption(
        f"{compact(head['coached'])} coached, {compact(head['with_findings'])} with DLP "
        f"findings, {compact(head['visits'])} visits to AI hosts that were not decrypted."
    )


auto_refresh(body)
