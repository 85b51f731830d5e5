"""Review: work through blocked, coached, redacted and flagged requests (analysts, admins)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.auth.roles import Role
from dashboard.queries import review as queue_sql
from dashboard.queries.cache import load
from dashboard.queries.outcome import REVIEW_OUTCOMES
from dashboard.queries.source import open_views
from dashboard.review.store import ReviewState
from dashboard.ui.frame import page_frame
from dashboard.ui.refresh import auto_refresh
from dashboard.ui.review_detail import render_detail

log = logging.getLogger("warden.dashboard")

frame = page_frame(Role.ANALYST)
settings = frame.settings
user = frame.user
label, window = frame.label, frame.window

st.title("Review")
st.caption(
    f"Blocked, coached, redacted and flagged requests, {label} (UTC). Open one to see why, "
    "then mark it reviewed, a false positive, or escalate it."
)

options = load(queue_sql.filter_options, settings.data_dir, window)
with st.expander("Filters", expanded=True, icon=":material/filter_list:"):
    top = st.columns(3)
    outcomes = top[0].multiselect(
        "Outcome", list(REVIEW_OUTCOMES), default=list(REVIEW_OUTCOMES), key="review.outcomes"
    )
    states = top[1].multiselect(
        "Review state",
        [s.value for s in ReviewState],
        key="review.states",
        placeholder="any state",
    )
    who = top[2].text_input("User contains", key="review.user")
    bottom = st.columns(3)
    apps = bottom[0].multiselect("App", options["apps"], key="review.apps", placeholder="any app")
    rules = bottom[1].multiselect(
        "Rule", options["rules"], key="review.rules", placeholder="any rule"
    )
    types = bottom[2].multiselect(
        "Finding type", options["finding_types"], key="review.types", placeholder="any type"
    )
chosen = queue_sql.ReviewFilter(
    outcomes=tuple(outcomes) or REVIEW_OUTCOMES,
    states=tuple(states),
    user=who,
    apps=tuple(apps),
    rules=tuple(rules),
    finding_types=tuple(types),
)


def export() -> str:
    with open_views(settings.data_dir) as con:
        text = queue_sql.export_csv(con, window, chosen)
    log.info("review export by %s: %d lines", user.name, text.count("\n") - 1)
    return text


def label_of(row: pd.Series) -> str:
    rule = f" ({row['rule_id']})" if row["rule_id"] else ""
    what = " ".join(str(v) for v in (row["app"], row["model"]) if v)
    return (
        f"{row['time']:%Y-%m-%d %H:%M:%S} · {row['user']} · {what} · "
        f"{row['outcome']}{rule} · {row['state']}"
    )


def body() -> None:
    total = load(queue_sql.queue_size, settings.data_dir, window, chosen)
    rows = load(queue_sql.queue, settings.data_dir, window, chosen)
    head = st.columns([4, 1])
    head[0].markdown(
        f"**{total:,}** {'request matches' if total == 1 else 'requests match'}"
        + (f"; the newest {len(rows):,} are listed." if total > len(rows) else ".")
    )
    head[1].download_button(
        "Export CSV",
        data=export,
        file_name=f"warden-review-{datetime.now(UTC):%Y%m%d-%H%M}.csv",
        mime="text/csv",
        icon=":material/download:",
        disabled=total == 0,
    )
    if rows.empty:
        st.info("Nothing to review for these filters.")
        return
    shown = rows.assign(
        groups=rows["groups"].map(lambda g: ", ".join(g) if g is not None else ""),
        finding_types=rows["finding_types"].map(lambda t: ", ".join(t) if t is not None else ""),
    )
    st.dataframe(
        shown[
            [
                "time",
                "user",
                "app",
                "model",
                "outcome",
                "rule_id",
                "findings",
                "finding_types",
                "state",
                "reviewed_by",
            ]
        ],
        hide_index=True,
        height=min(420, 38 + 35 * len(shown)),
        column_config={
            "time": st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            "rule_id": "Rule",
            "finding_types": "Finding types",
            "reviewed_by": "Reviewed by",
        },
    )
    labels = {row["id"]: label_of(row) for _, row in rows.iterrows()}
    picked = st.session_state.get("review.selected")
    ids = list(labels)
    if picked and picked not in labels:  # opened from another page: keep it selectable
        ids.insert(0, picked)
    selected = st.selectbox(
        "Open a request",
        ids,
        index=None,
        format_func=lambda i: labels.get(i, f"request {i}"),
        key="review.selected",
        placeholder="Choose a request to see its details",
    )
    if selected:
        render_detail(settings, user, selected)


auto_refresh(body)
