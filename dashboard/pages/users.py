"""Users: who uses AI how much, what it costs, what was blocked, and who looks risky.

Admins can also erase one person's records here (a privacy request), the same procedure as
`warden logs purge --user` (warden/privacy.py).
"""

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
from warden.privacy import count_records, purge_person

frame = page_frame(Role.VIEWER)
settings = frame.settings
label, window = frame.label, frame.window
signed_in = frame.user

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
    if done := st.session_state.pop("users.erased", None):
        st.success(done, icon=":material/delete_forever:")
    if failed := st.session_state.pop("users.erase_failed", None):
        st.error(failed)
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
        if signed_in.may(Role.ADMIN):
            erase_form(person)


def erase_form(person: str) -> None:
    with st.expander("Privacy request: erase this person's records"):
        found = count_records(settings.data_dir, person, front_end="dashboard")
        st.markdown(
            f"This removes **{found.events:,} events** (all time, not only this period) and "
            f"**{found.alerts:,} alerts** about **{md(person)}** from the audit log and the "
            "alert files, for good. The erasure itself is recorded (by whom, when, how much) "
            "and is never erased. A running proxy also forgets what it holds about them."
        )
        typed = st.text_input("Type the user name to confirm", key="users.erase_confirm")
        st.button(
            "Erase",
            type="primary",
            key="users.erase",
            disabled=typed.strip() != person,
            on_click=_erase,
            args=(person,),
        )


def _erase(person: str) -> None:
    # A callback: it runs before the next run, so it may clear the widgets' state.
    actor = f"dashboard:{signed_in.name}"
    done = purge_person(settings.data_dir, person, actor, front_end="dashboard")
    if not done.ok:
        st.session_state["users.erase_failed"] = (
            f"The events of {md(person)} could not be erased: {done.error}. "
            f"{done.alerts_removed} alerts about them were removed. Try again."
        )
        return
    st.session_state["users.erased"] = (
        f"Erased {done.events_removed:,} events and {done.alerts_removed:,} alerts about "
        f"{md(person)}. Recorded as done by {md(actor)}."
    )
    st.session_state["users.selected"] = None
    st.session_state["users.erase_confirm"] = ""


auto_refresh(body)
