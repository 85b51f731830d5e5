"""What every page starts with: the role check, then the sidebar (who is signed in, sign
out, time window, refresh interval). Drawn by each page rather than the router, so that
the controls belong to the page's own run."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.auth.roles import Role
from dashboard.auth.session import SignedIn, logout, require
from dashboard.queries.timerange import TimeRange
from dashboard.settings import DashboardSettings
from dashboard.ui.markup import md
from dashboard.ui.refresh import refresh_picker
from dashboard.ui.window import current_window, window_picker

__all__ = ["PageFrame", "page_frame"]


@dataclass(frozen=True)
class PageFrame:
    settings: DashboardSettings
    user: SignedIn
    label: str  # the time window in words, e.g. "last 24 hours"
    window: TimeRange


def page_frame(needs: Role = Role.VIEWER, *, with_window: bool = True) -> PageFrame:
    settings = DashboardSettings.from_env()
    user = require(settings, needs)
    with st.sidebar:
        st.markdown(f"**{md(user.name)}** · {user.role.value}")
        # A callback, so the session is gone before the next run draws anything.
        st.button("Sign out", icon=":material/logout:", on_click=logout)
        if with_window:
            window_picker()
        refresh_picker(settings.refresh_s)
    label, window = current_window()
    return PageFrame(settings, user, label, window)
