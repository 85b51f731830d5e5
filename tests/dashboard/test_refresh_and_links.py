"""Pages refresh on their own at the configured interval; alerts link to their request."""

from __future__ import annotations

import pytest

from dashboard.settings import ENV
from tests.dashboard.conftest import OpenApp
from tests.dashboard.fixture_store import SECRET_ID, FixtureStore


def test_the_refresh_interval_comes_from_the_command_line_and_can_be_changed(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(ENV["refresh_s"], "30")
    at = open_app("viewer")
    assert at.sidebar.selectbox(key="refresh.label").value == "30 s"
    assert any(c.value.endswith("every 30 s") for c in at.caption)
    at.sidebar.selectbox(key="refresh.label").select("Off").run()
    at.switch_page("pages/users.py").run()  # the choice follows the person across pages
    assert at.sidebar.selectbox(key="refresh.label").value == "Off"
    assert not any("every" in c.value for c in at.caption)


def test_an_unlisted_interval_is_offered_as_given(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(ENV["refresh_s"], "45")
    at = open_app("viewer")
    assert at.sidebar.selectbox(key="refresh.label").value == "45 s"


def test_time_range_choice_follows_across_pages(open_app: OpenApp):
    at = open_app("viewer", window="All time")
    at.switch_page("pages/users.py").run()
    assert at.sidebar.selectbox(key="window.preset").value == "All time"
    assert "all time" in at.caption[0].value


def test_an_alert_opens_its_request_in_review(open_app: OpenApp, store: FixtureStore):
    at = open_app("analyst")
    at.switch_page("pages/alerts.py").run()
    at.selectbox(key="alerts.selected").set_value(store.high_alert_id).run()
    next(b for b in at.button if b.label == "Open the request in Review").click().run()
    assert [t.value for t in at.title] == ["Review"]
    assert at.selectbox(key="review.selected").value == SECRET_ID
