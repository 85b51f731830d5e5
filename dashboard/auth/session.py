"""The signed-in person for this browser session: login form, role checks, logout.

A session holds who signed in and with which role. Every script run checks that against the
users file again (cached by modification time), so removing a user or lowering a role takes
effect on that user's next click, not at their next login.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import streamlit as st

from dashboard.auth.roles import Role
from dashboard.auth.throttle import LoginThrottle
from dashboard.auth.users import DashboardUsers
from dashboard.settings import DashboardSettings
from dashboard.ui.markup import md
from warden.errors import ConfigError

__all__ = ["SESSION_KEY", "SignedIn", "current_user", "login_page", "logout", "require"]

log = logging.getLogger("warden.dashboard")

SESSION_KEY = "warden.user"


@dataclass(frozen=True, slots=True)
class SignedIn:
    name: str
    role: Role
    since: float

    def may(self, needed: Role) -> bool:
        return self.role.allows(needed)


@st.cache_resource
def _throttle() -> LoginThrottle:
    return LoginThrottle()


def load_users(path: Path) -> DashboardUsers:
    """The users file as it is now; ConfigError if missing or invalid."""
    try:
        stat = path.stat()
    except OSError as e:
        raise ConfigError(f"{path}: no dashboard users file ({e.strerror})") from e
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, _mtime_ns: int, _size: int) -> DashboardUsers:
    return DashboardUsers.load(Path(path))


def current_user(settings: DashboardSettings) -> SignedIn | None:
    user = st.session_state.get(SESSION_KEY)
    if not isinstance(user, SignedIn):
        return None
    try:
        role = load_users(settings.users_file).role_of(user.name)
    except ConfigError:
        role = None
    if role is not user.role:
        log.warning("dashboard session of %s ended: user removed or role changed", user.name)
        logout()
        return None
    return user


def require(settings: DashboardSettings, needed: Role = Role.VIEWER) -> SignedIn:
    """The signed-in user if their role allows `needed`; otherwise stop the page here."""
    user = current_user(settings)
    if user is None:
        # Reached when a session ends while its page is open (user removed, role changed):
        # the page shows the sign-in form instead of its data.
        login_page(settings)
        st.stop()
    if not user.may(needed):
        st.error(f"This page needs the {needed.value} role; you are signed in as {user.role}.")
        st.stop()
    return user  # type: ignore[return-value]  # st.stop() never returns


def logout() -> None:
    st.session_state.pop(SESSION_KEY, None)


def login_page(settings: DashboardSettings) -> None:
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        _login_form(settings)


def _login_form(settings: DashboardSettings) -> None:
    st.title("Egress Warden")
    st.caption("Security dashboard: sign in to continue.")
    try:
        users = load_users(settings.users_file)
    except ConfigError as e:
        if not settings.users_file.exists():
            st.info(
                "No dashboard users yet. Create the first one on the Warden host:\n\n"
                f"`warden dashboard users add NAME --role admin --file {settings.users_file}`"
            )
        else:
            st.error(f"The dashboard users file cannot be read: {md(e)}")
        return
    if not users.users:
        st.info("The users file has no users: add one with `warden dashboard users add`.")
        return
    with st.form("login", clear_on_submit=False):
        name = st.text_input("User name", key="login.name")
        password = st.text_input("Password", type="password", key="login.password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    name = name.strip()
    throttle = _throttle()
    wait = throttle.wait_s(name)
    if wait > 0:
        st.error(f"Too many failed attempts for this name. Try again in {wait:.0f} s.")
        return
    role = users.verify(name, password) if name and password else None
    if role is None:
        throttle.failed(name)
        log.warning("dashboard sign-in failed for %r", name)
        st.error("Wrong user name or password.")
        return
    throttle.succeeded(name)
    log.info("dashboard sign-in: %s (%s)", name, role)
    st.session_state[SESSION_KEY] = SignedIn(name, role, time.time())
    st.rerun()
