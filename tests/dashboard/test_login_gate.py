"""No page without signing in; each role gets its pages and no others."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth.roles import Role
from dashboard.auth.session import SESSION_KEY, SignedIn
from dashboard.auth.users import DashboardUsers
from tests.dashboard.conftest import APP, OpenApp, sign_in
from tests.dashboard.fixture_store import FixtureStore

ALL_PAGES = [
    "pages/overview.py",
    "pages/review.py",
    "pages/alerts.py",
    "pages/users.py",
    "pages/shadow_ai.py",
    "pages/policies.py",
    "pages/health.py",
]


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_signed_out_sees_only_the_sign_in_form(open_app: OpenApp):
    at = open_app()
    assert titles(at) == ["Egress Warden"]
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_page_is_reachable_without_signing_in(open_app: OpenApp, page: str):
    at = open_app()
    with pytest.raises(ValueError, match="Known pages: \\['Sign in'\\]"):
        at.switch_page(page)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_a_page_script_run_on_its_own_shows_only_the_sign_in_form(store: FixtureStore, page: str):
    at = AppTest.from_file(str(APP.parent / page), default_timeout=30).run()
    assert titles(at) == ["Egress Warden"]
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not at.dataframe and not at.metric


def test_wrong_password_is_refused(open_app: OpenApp):
    at = sign_in(open_app(), "analyst", "not-the-password")
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert titles(at) == ["Egress Warden"]


def test_unknown_user_is_refused_the_same_way(open_app: OpenApp):
    at = open_app()
    at.text_input(key="login.name").input("mallory")
    at.text_input(key="login.password").input("whatever-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong user name or password."]


def test_admin_signs_in_to_the_overview_and_sees_every_page(open_app: OpenApp):
    at = open_app("admin")
    assert titles(at) == ["Overview"]
    for page in ALL_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


def test_viewer_has_no_review_page(open_app: OpenApp):
    at = open_app("viewer")
    assert titles(at) == ["Overview"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/review.py")


def test_review_page_refuses_a_viewer_even_when_run_directly(store: FixtureStore):
    at = AppTest.from_file(str(APP.parent / "pages/review.py"), default_timeout=30)
    at.session_state[SESSION_KEY] = SignedIn("viewer", Role.VIEWER, 0.0)
    at.run()
    assert [e.value for e in at.error] == [
        "This page needs the analyst role; you are signed in as viewer."
    ]
    assert not at.dataframe


def test_repeated_failures_lock_the_name_for_a_while(open_app: OpenApp):
    at = open_app()
    for _ in range(5):
        sign_in(at, "admin", "wrong-password")
    sign_in(at, "admin")  # the right password, but too soon
    assert "Too many failed attempts" in at.error[0].value
    assert titles(at) == ["Egress Warden"]


def test_missing_users_file_explains_how_to_create_one(open_app: OpenApp, store: FixtureStore):
    store.users_file.unlink()
    at = open_app()
    assert "warden dashboard users add NAME --role admin" in at.info[0].value
    assert not at.text_input


def test_removing_a_user_ends_their_session_at_the_next_click(
    open_app: OpenApp, store: FixtureStore
):
    at = open_app("analyst")
    assert titles(at) == ["Overview"]
    DashboardUsers.load(store.users_file).without_user("analyst").save(store.users_file)
    at.run()
    assert titles(at) == ["Egress Warden"]


def test_sign_out_returns_to_the_sign_in_form_on_every_page(open_app: OpenApp):
    at = open_app("analyst")
    at.sidebar.button[0].click().run()
    assert titles(at) == ["Egress Warden"]
    at.switch_page("pages/review.py").run()  # a page the session could open a moment ago
    assert titles(at) == ["Egress Warden"]
    assert not at.dataframe
