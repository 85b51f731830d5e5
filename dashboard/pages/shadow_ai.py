"""Shadow AI: the AI apps people use, grouped by what they are for, with status and risk."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.app_profile import CATEGORY_LABELS, RATING_ORDER, profile
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
    "traffic Warden tunnels without decrypting, grouped by what the apps are for. Status is the "
    "policy's `sanctioned:` override if it has one, else the catalog's. Risk is rated from the "
    "vendor's documented terms (training on inputs, single sign-on, SOC 2 or ISO 27001, a data "
    "processing agreement); unknown means nobody has read those terms for the catalog yet."
)
RATINGS = [str(level) for level in RATING_ORDER]
shown_ratings = st.multiselect("Risk", RATINGS, default=RATINGS, key="shadow.ratings")


def _with_catalog_facts(apps: pd.DataFrame) -> pd.DataFrame:
    policy = policy_state(settings.policy).policy
    looked_up = [standing(app, policy, settings.catalogs) for app in apps["app"]]
    profiles = [profile(app, settings.catalogs) for app in apps["app"]]
    rank = {rating: i for i, rating in enumerate(RATINGS)}
    return apps.assign(
        name=[name for name, _, _ in looked_up],
        status=[status for _, status, _ in looked_up],
        status_from=[source for _, _, source in looked_up],
        category=[p.category_label for p in profiles],
        rating=[p.rating for p in profiles],
        reasons=[list(p.reasons) for p in profiles],
        rating_rank=[rank[p.rating] for p in profiles],
    )


def _by_category(apps: pd.DataFrame) -> pd.DataFrame:
    """One row per category: its apps, people (counted once across its apps) and traffic."""
    rows = []
    for category, group in apps.groupby("category", sort=False):
        rows.append(
            {
                "category": category,
                "apps": len(group),
                "people": load(shadow.users_of, settings.data_dir, window, tuple(group["app"])),
                "high_risk": int((group["rating"] == "high").sum()),
                "unrated": int((group["rating"] == "unknown").sum()),
                "unsanctioned": int((group["status"] == "unsanctioned").sum()),
                "requests": int(group["requests"].sum()),
                "visits": int(group["visits"].sum()),
                "blocked": int(group["blocked"].sum()),
            }
        )
    order = list(CATEGORY_LABELS.values())
    frame = pd.DataFrame(rows)
    frame["order"] = [order.index(c) if c in order else len(order) for c in frame["category"]]
    return frame.sort_values(["people", "order"], ascending=[False, True]).drop(columns="order")


APP_COLUMNS = [
    "name",
    "app",
    "rating",
    "reasons",
    "status",
    "status_from",
    "provider",
    "kind",
    "users",
    "requests",
    "visits",
    "blocked",
    "hosts",
    "first_seen",
    "last_seen",
]
# Any: Streamlit exports the column config type only from a private module.
APP_COLUMN_CONFIG: dict[str, Any] = {
    "name": "App",
    "app": "Catalog id",
    "rating": "Risk",
    "reasons": st.column_config.ListColumn("Why", width="large"),
    "status_from": "Status from",
    "first_seen": st.column_config.DatetimeColumn("First seen", format="YYYY-MM-DD HH:mm"),
    "last_seen": st.column_config.DatetimeColumn("Last seen", format="YYYY-MM-DD HH:mm"),
}


def body() -> None:
    apps = load(shadow.apps_seen, settings.data_dir, window)
    if apps.empty:
        st.info("No AI app was used in this period.")
        return
    apps = _with_catalog_facts(apps)
    unsanctioned = tuple(apps.loc[apps["status"] == "unsanctioned", "app"])
    figures = st.columns(5)
    figures[0].metric("AI apps seen", f"{len(apps):,}")
    figures[1].metric("Unsanctioned apps in use", f"{len(unsanctioned):,}")
    figures[2].metric(
        "People on unsanctioned apps",
        f"{load(shadow.users_of, settings.data_dir, window, unsanctioned):,}",
    )
    figures[3].metric("High-risk apps in use", f"{int((apps['rating'] == 'high').sum()):,}")
    figures[4].metric("Undecrypted visits", f"{int(apps['visits'].sum()):,}")
    st.altair_chart(charts.bars(apps, "name", "users", "People", color="status"), width="stretch")

    st.subheader("By category")
    categories = _by_category(apps)
    st.dataframe(
        categories,
        hide_index=True,
        column_config={
            "category": "Category",
            "apps": "Apps",
            "people": "People",
            "high_risk": "High risk",
            "unrated": "Unrated",
            "unsanctioned": "Unsanctioned",
        },
    )

    st.subheader("Apps by category")
    shown = apps[apps["rating"].isin(shown_ratings)]
    if shown.empty:
        st.info("No app with the chosen risk ratings was used in this period.")
    for category, people in zip(categories["category"], categories["people"], strict=True):
        group = shown[shown["category"] == category]
        if group.empty:
            continue
        group = group.sort_values(["rating_rank", "users", "name"], ascending=[True, False, True])
        apps_label = "app" if len(group) == 1 else "apps"
        people_label = "person" if people == 1 else "people"
        with st.expander(
            f"{category}: {len(group)} {apps_label}, {people} {people_label}", expanded=True
        ):
            st.dataframe(group[APP_COLUMNS], hide_index=True, column_config=APP_COLUMN_CONFIG)

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
