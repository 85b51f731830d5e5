"""The dashboard's entry point: `streamlit run dashboard/app.py` (via `warden dashboard`).

Until someone signs in, the navigation holds only the sign-in page: no other page is
registered, so no URL reaches one. After sign-in it lists the pages the role may open, and
each page checks the role again itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.auth.roles import Role
from dashboard.auth.session import current_user, login_page
from dashboard.settings import DashboardSettings


@dataclass(frozen=True, slots=True)
class PageSpec:
    script: str  # relative to this file
    title: str
    icon: str
    needs: Role


PAGES = (
    PageSpec("pages/overview.py", "Overview", ":material/insights:", Role.VIEWER),
    PageSpec("pages/review.py", "Review", ":material/fact_check:", Role.ANALYST),
    PageSpec("pages/alerts.py", "Alerts", ":material/notifications:", Role.VIEWER),
    PageSpec("pages/users.py", "Users", ":material/group:", Role.VIEWER),
    PageSpec("pages/shadow_ai.py", "Shadow AI", ":material/travel_explore:", Role.VIEWER),
    PageSpec("pages/policies.py", "Policies", ":material/policy:", Role.VIEWER),
    PageSpec("pages/health.py", "Health", ":material/monitor_heart:", Role.VIEWER),
)


def main() -> None:
    # An emoji favicon is drawn locally; a :material/...: one is fetched from fonts.gstatic.com,
    # and nothing the dashboard shows may reach outside the machine.
    st.set_page_config(page_title="Egress Warden", page_icon="🛡️", layout="wide")
    settings = DashboardSettings.from_env()
    user = current_user(settings)
    if user is None:
        page = st.navigation(
            [st.Page(lambda: login_page(settings), title="Sign in", url_path="login")],
            position="hidden",
        )
        page.run()
        return
    allowed = [
        st.Page(spec.script, title=spec.title, icon=spec.icon, default=i == 0)
        for i, spec in enumerate(PAGES)
        if user.may(spec.needs)
    ]
    # Along the top: `warden dashboard` sets client.showSidebarNavigation=false so that the
    # names in pages/ are not listed to a browser that has not signed in, and that option
    # also hides a navigation placed in the sidebar. Each page draws its own sidebar.
    st.navigation(allowed, position="top").run()


main()
