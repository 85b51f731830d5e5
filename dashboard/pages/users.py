"""Users: who uses AI how much, what it costs, what was blocked, and who looks risky."""

from __future__ import annotations

import streamlit as st

from dashboard.auth.roles import Role
from dashboard.queries import users as users_sql
from dashboard.queries.cache import load
from dashboard.ui import charts
from dashboard.ui.frame import page_frame
from dashboard.ui.markup import md
from dashboard.ui.numbers import compact, usd
from dashboard.ui.refresh import auto_refresh

frame = page_frame(Role.VIEWER)
settings = frame.settings
label, window = frame.label, frame.window

st.title("Users")
st.caption(f"Per-user usage, cost, blocked attempts and alerts, {label} (UTC).")
with st.expander("How the risk score is computed"):
    st.markdown(
        f"""
`points = {users_sql.POINTS_SQL.replace(" * ", " x ")}`

`risk = round(100 x points / (points + 50))`, so 0 to 100: 50 points score 50, 150 points
score 75. Alerts count from the alert store for alerts active in the period ("high" means
high or critical; "other" low or medium). Bands: 60 and up **high**, 30 to 59 **medium**,
below 30 **low**.
"""
    )


def body() -> None:
    frame = load(users_sql.per_user, settings.data_dir, window)
    if frame.empty:
        st.info("No user made an AI request in this period.")
        return
    frame = frame.assign(band=frame["risk"].map(users_sql.risk_band))
    figures = st.columns(4)
    figures[0].metric("Active users", f"{len(frame):,}")
    figures[1].metric("High risk", f"{int((frame['band'] == 'high').sum()):,}")
    figures[2].metric("With blocked requests", f"{int((frame['blocked'] > 0).sum()):,}")
    figures[3].metric("Cost", usd(float(frame["cost_usd"].sum())))

    chart, table = st.columns([2, 3])
    top = frame.head(15)
    chart.altair_chart(
        charts.bars(top, "user", "risk", "Risk score", color="band", palette="risk"),
        width="stretch",
    )
    table.dataframe(
        frame[
            [
                "user",
                "risk",
                "band",
                "requests",
                "tokens",
                "cost_usd",
                "blocked",
                "redacted",
                "with_findings",
                "unsanctioned",
                "alerts",
                "alerts_open",
                "last_seen",
            ]
        ],
        hide_index=True,
        height=min(560, 38 + 35 * len(frame)),
        column_config={
            "risk": st.column_config.ProgressColumn(
                "Risk", min_value=0, max_value=100, format="%d"
            ),
            "cost_usd": st.column_config.NumberColumn("Cost", format="$%.2f"),
            "tokens": st.column_config.NumberColumn("Tokens", format="compact"),
            "with_findings": "With findings",
            "alerts_open": "Open alerts",
            "last_seen": st.column_config.DatetimeColumn("Last seen", format="YYYY-MM-DD HH:mm"),
        },
    )
    person = st.selectbox(
        "Look at one user",
        frame["user"].tolist(),
        index=None,
        key="users.selected",
        placeholder="Choose a user",
    )
    if person:
        row = frame[frame["user"] == person].iloc[0]
        st.markdown(
            f"**{md(person)}**: risk {int(row['risk'])} ({row['band']}), "
            f"{compact(row['requests'])} requests, {usd(row['cost_usd'])}, "
            f"{int(row['blocked'])} blocked, "
            f"{int(row['alerts'])} alerts ({int(row['alerts_open'])} open), "
            f"{int(row['apps'])} apps."
        )
        unit, activity = load(users_sql.user_activity, settings.data_dir, window, person)
        st.altair_chart(charts.activity(activity, unit, "app", "Requests"), width="stretch")


auto_refresh(body)
