"""Shadow AI: the AI apps and hosts people actually use, and whether they are sanctioned."""

from __future__ import annotations

import streamlit as st

from dashboard.auth.roles import Role
from dashboard.policy_state import policy_state
from dashboard.queries import shadow
from dashboard.queries.cache import load
from dashboard.sanction import standing
from dashboard.ui import charts
from dashboard.ui.frame import page_frame
from dashboard.ui.refresh import auto_refresh

frame = page_frame(Role.VIEWER)
settings = frame.settings
label, window = frame.label, frame.window

st.title("Shadow AI")
st.caption(
    f"AI apps and hosts seen, {label} (UTC): decrypted requests, and visits to AI hosts whose "
    "traffic Warden tunnels without decrypting. Status is the policy's `sanctioned:` override "
    "if it has one, else the catalog's."
)


def body() -> None:
    apps = load(shadow.apps_seen, settings.data_dir, window)
    if apps.empty:
        st.info("No AI app was used in this period.")
        return
    policy = policy_state(settings.policy).policy
    looked_up = [standing(app, policy, settings.catalogs) for app in apps["app"]]
    apps = apps.assign(
        name=[name for name, _, _ in looked_up],
        status=[status for _, status, _ in looked_up],
        status_from=[source for _, _, source in looked_up],
    )
    unsanctioned = tuple(apps.loc[apps["status"] == "unsanctioned", "app"])
    figures = st.columns(4)
    figures[0].metric("AI apps seen", f"{len(apps):,}")
    figures[1].metric("Unsanctioned apps in use", f"{len(unsanctioned):,}")
    figures[2].metric(
        "People on unsanctioned apps",
        f"{load(shadow.users_of, settings.data_dir, window, unsanctioned):,}",
    )
    figures[3].metric("Undecrypted visits", f"{int(apps['visits'].sum()):,}")
    st.altair_chart(charts.bars(apps, "name", "users", "People", color="status"), width="stretch")
    st.subheader("Apps")
    st.dataframe(
        apps[
            [
                "name",
                "app",
                "provider",
                "kind",
                "status",
                "status_from",
                "users",
                "requests",
                "visits",
                "blocked",
                "hosts",
                "first_seen",
                "last_seen",
            ]
        ],
        hide_index=True,
        column_config={
            "name": "App",
            "app": "Catalog id",
            "status_from": "Status from",
            "first_seen": st.column_config.DatetimeColumn("First seen", format="YYYY-MM-DD HH:mm"),
            "last_seen": st.column_config.DatetimeColumn("Last seen", format="YYYY-MM-DD HH:mm"),
        },
    )
    st.subheader("Hosts")
    hosts = load(shadow.hosts_seen, settings.data_dir, window)
    st.dataframe(
        hosts,
        hide_index=True,
        column_config={
            "last_seen": st.column_config.DatetimeColumn("Last seen", format="YYYY-MM-DD HH:mm")
        },
    )


auto_refresh(body)
