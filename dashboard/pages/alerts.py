"""Alerts inbox: open, acknowledged and resolved alerts; analysts work them here."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.auth.roles import Role
from dashboard.queries import alerts as alerts_sql
from dashboard.queries.cache import load
from dashboard.review.escalation import alert_store
from dashboard.ui.frame import page_frame
from dashboard.ui.markup import md
from dashboard.ui.refresh import auto_refresh
from warden.alerts.alert import AlertState
from warden.alerts.severity import Severity
from warden.alerts.store import UnknownAlert, change_state

frame = page_frame(Role.VIEWER, with_window=False)
settings = frame.settings
user = frame.user
may_act = user.may(Role.ANALYST)

st.title("Alerts")
st.caption("Alerts raised by the proxy's detectors and policy rules, and escalations.")

STATES = {"open": "Open", "acknowledged": "Acknowledged", "resolved": "Resolved"}


def body() -> None:
    counts = load(alerts_sql.state_counts, settings.data_dir)
    for column, (state, title) in zip(st.columns(3), STATES.items(), strict=True):
        column.metric(title, f"{counts.get(state, 0):,}")
    options = load(alerts_sql.alert_options, settings.data_dir)
    row = st.columns([2, 2, 2, 2])
    states = row[0].multiselect(
        "State",
        list(STATES),
        default=["open"],
        format_func=STATES.__getitem__,
        key="alerts.states",
        placeholder="any state",
    )
    severities = row[1].multiselect(
        "Severity",
        [s.value for s in reversed(Severity)],
        key="alerts.severity",
        placeholder="any severity",
    )
    detectors = row[2].multiselect(
        "Type", options["detectors"], key="alerts.type", placeholder="any type"
    )
    who = row[3].text_input("User contains", key="alerts.user")
    chosen = alerts_sql.AlertFilter(tuple(states), tuple(severities), tuple(detectors), (), who)
    rows = load(alerts_sql.alert_rows, settings.data_dir, chosen)
    if rows.empty:
        st.info("No alerts for these filters.")
        return
    st.dataframe(
        rows[
            [
                "last_seen",
                "severity",
                "title",
                "detector",
                "user",
                "app",
                "count",
                "state",
                "state_by",
            ]
        ],
        hide_index=True,
        height=min(420, 38 + 35 * len(rows)),
        column_config={
            "last_seen": st.column_config.DatetimeColumn(
                "Last seen (UTC)", format="YYYY-MM-DD HH:mm"
            ),
            "severity": "Severity",
            "title": "Title",
            "detector": "Type",
            "user": "User",
            "app": "App",
            "count": "Count",
            "state": "State",
            "state_by": "By",
        },
    )
    labels = {
        r["id"]: f"{r['last_seen']:%Y-%m-%d %H:%M} · {r['severity']} · {r['title']} · {r['state']}"
        for _, r in rows.iterrows()
    }
    selected = st.selectbox(
        "Open an alert",
        list(labels),
        index=None,
        format_func=labels.__getitem__,
        key="alerts.selected",
        placeholder="Choose an alert to see its details",
    )
    if selected:
        detail(selected)


def detail(alert_id: str) -> None:
    alert = load(alerts_sql.alert_detail, settings.data_dir, alert_id)
    if alert is None:
        st.warning("This alert is gone from the store.")
        return
    with st.container(border=True):
        st.subheader(md(alert["title"]))
        st.markdown(
            f"**{md(alert['severity'])}** · {md(alert['detector'])} ({md(alert['category'])}) · "
            f"score {md(alert['score'])} · seen {md(alert['count'])} time(s) · "
            f"state **{md(alert['state'])}**"
            + (f" by {md(alert['state_by'])}" if alert.get("state_by") else "")
        )
        left, right = st.columns(2)
        left.markdown(
            f"User **{md(alert.get('user') or '-')}** · "
            f"app {md(alert.get('app_name') or alert.get('app') or '-')} · "
            f"model {md(alert.get('model') or '-')} · "
            f"policy rule {md(alert.get('policy_rule') or '-')}"
        )
        first = datetime.fromtimestamp(alert["first_seen"], UTC)
        last = datetime.fromtimestamp(alert["last_seen"], UTC)
        right.markdown(f"First seen {first:%Y-%m-%d %H:%M:%S}, last {last:%Y-%m-%d %H:%M:%S} UTC")
        for reason in alert.get("reasons") or []:
            st.markdown(f"- {md(reason.get('text'))}")
        evidence = alert.get("evidence") or []
        if evidence and may_act:
            st.markdown("**Evidence** (masked)")
            st.dataframe(pd.DataFrame(evidence), hide_index=True)
        elif evidence:
            st.caption(f"{len(evidence)} piece(s) of evidence: shown to analysts and admins.")
        if alert.get("deliveries"):
            st.markdown("**Delivery**")
            st.dataframe(pd.DataFrame(alert["deliveries"]), hide_index=True)
        if alert.get("history"):
            st.markdown("**History**")
            st.dataframe(pd.DataFrame(alert["history"]), hide_index=True)
        if may_act:
            actions(alert)


def actions(alert: dict[str, object]) -> None:
    alert_id = str(alert["id"])
    note = st.text_input("Note (kept with the change)", key=f"alert.note.{alert_id}")
    buttons = st.columns([1, 1, 1, 2])
    target = None
    if buttons[0].button(
        "Acknowledge",
        key=f"alert.ack.{alert_id}",
        type="primary",
        disabled=alert["state"] == "acknowledged",
    ):
        target = AlertState.ACKNOWLEDGED
    if buttons[1].button(
        "Resolve", key=f"alert.resolve.{alert_id}", disabled=alert["state"] == "resolved"
    ):
        target = AlertState.RESOLVED
    if buttons[2].button(
        "Reopen", key=f"alert.reopen.{alert_id}", disabled=alert["state"] == "open"
    ):
        target = AlertState.OPEN
    event_id = alert.get("last_event_id")
    if event_id and buttons[3].button("Open the request in Review", key=f"alert.go.{alert_id}"):
        st.session_state["review.selected"] = event_id
        st.switch_page("pages/review.py")
    if target is None:
        return
    try:
        change_state(alert_store(settings.data_dir), alert_id, target, user.name, note)
    except UnknownAlert:
        st.error("This alert is not in the store any more.")
        return
    st.toast(f"Alert {target.value} by {md(user.name)}")
    st.rerun()


auto_refresh(body)
