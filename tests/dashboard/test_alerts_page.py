"""Alerts inbox: states, filters, acknowledge and resolve with a note."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.review.escalation import alert_store
from tests.dashboard.conftest import OpenApp
from tests.dashboard.fixture_store import KEY_PREVIEW, FixtureStore
from warden.alerts.alert import AlertState


def open_alerts(at: AppTest) -> AppTest:
    at.switch_page("pages/alerts.py").run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_open_alerts_are_listed_with_counts_per_state(open_app: OpenApp):
    at = open_alerts(open_app("viewer"))
    assert {m.label: m.value for m in at.metric} == {
        "Open": "2",
        "Acknowledged": "0",
        "Resolved": "0",
    }
    table = at.dataframe[0].value
    assert list(table["severity"]) == ["high", "medium"]


def test_filter_by_severity_and_type(open_app: OpenApp):
    at = open_alerts(open_app("viewer"))
    at.multiselect(key="alerts.severity").set_value(["medium"]).run()
    assert list(at.dataframe[0].value["title"]) == ["Unsanctioned app"]
    at.multiselect(key="alerts.severity").set_value([]).run()
    at.multiselect(key="alerts.type").set_value(["secrets"]).run()
    assert list(at.dataframe[0].value["title"]) == ["Credential in a prompt"]


def test_analyst_acknowledges_then_resolves_with_notes(open_app: OpenApp, store: FixtureStore):
    at = open_alerts(open_app("analyst"))
    at.selectbox(key="alerts.selected").set_value(store.high_alert_id).run()
    assert KEY_PREVIEW in str(at.dataframe[1].value.to_dict())  # masked evidence for analysts
    at.text_input(key=f"alert.note.{store.high_alert_id}").input("user rotated the key")
    button(at, "Acknowledge").click().run()
    view = alert_store(store.data_dir).get(store.high_alert_id)
    assert view is not None
    assert (view.state, view.state_by, view.state_note) == (
        AlertState.ACKNOWLEDGED,
        "analyst",
        "user rotated the key",
    )
    # The inbox shows open alerts by default: the acknowledged one moves out of it.
    at.run()
    assert {m.label: m.value for m in at.metric}["Acknowledged"] == "1"
    at.multiselect(key="alerts.states").set_value(["acknowledged"]).run()
    at.selectbox(key="alerts.selected").set_value(store.high_alert_id).run()
    button(at, "Resolve").click().run()
    view = alert_store(store.data_dir).get(store.high_alert_id)
    assert view is not None and view.state is AlertState.RESOLVED
    assert [h["state"] for h in view.history] == ["acknowledged", "resolved"]


def test_viewer_sees_the_alert_but_no_evidence_and_no_actions(
    open_app: OpenApp, store: FixtureStore
):
    at = open_alerts(open_app("viewer"))
    at.selectbox(key="alerts.selected").set_value(store.high_alert_id).run()
    text = str([d.value.to_dict() for d in at.dataframe]) + str([m.value for m in at.markdown])
    assert KEY_PREVIEW not in text
    assert "shown to analysts and admins" in "\n".join(c.value for c in at.caption)
    assert not [b for b in at.button if b.label in ("Acknowledge", "Resolve", "Reopen")]


def test_delivery_status_is_shown_per_sink(open_app: OpenApp, store: FixtureStore):
    at = open_alerts(open_app("analyst"))
    at.selectbox(key="alerts.selected").set_value(store.high_alert_id).run()
    deliveries = next(d.value for d in at.dataframe if "sink" in d.value.columns)
    assert deliveries.iloc[0]["state"] == "failed"
    assert deliveries.iloc[0]["last_error"] == "connection refused"
