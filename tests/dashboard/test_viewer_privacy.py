"""Viewers see aggregates only: no prompt text, no finding previews, anywhere they can go.

Checked on everything the app sends to the browser (every element's protobuf, dataframes'
Arrow bytes included), not just the visible text, with every detail view a viewer can open.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import OpenApp
from tests.dashboard.fixture_store import (
    EMAIL_PREVIEW,
    KEY_PREVIEW,
    PROMPT_MARKER,
    REDACTED_ID,
    FixtureStore,
)

SECRETS = (PROMPT_MARKER.encode(), EMAIL_PREVIEW.encode(), KEY_PREVIEW.encode())


def sent_to_browser(at: AppTest) -> bytes:
    chunks: list[bytes] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            chunks.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"\n".join(chunks)


def leaks(at: AppTest) -> list[bytes]:
    sent = sent_to_browser(at)
    return [s for s in SECRETS if s in sent]


def test_the_check_would_see_prompt_text_and_previews(open_app: OpenApp):
    """Control: an analyst's review detail does carry them, so the check can find them."""
    at = open_app("analyst", window="All time")
    at.switch_page("pages/review.py").run()
    at.selectbox(key="review.selected").set_value(REDACTED_ID).run()
    assert PROMPT_MARKER.encode() in sent_to_browser(at)
    assert EMAIL_PREVIEW.encode() in sent_to_browser(at)


def test_viewer_never_receives_prompt_text_or_finding_previews(
    open_app: OpenApp, store: FixtureStore
):
    at = open_app("viewer", window="All time")
    for page in ("overview", "alerts", "users", "shadow_ai", "policies", "health"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        assert leaks(at) == [], page
        if page == "alerts":
            at.multiselect(key="alerts.states").set_value([]).run()
            for alert_id in (store.high_alert_id, store.medium_alert_id):
                at.selectbox(key="alerts.selected").set_value(alert_id).run()
                assert leaks(at) == [], alert_id
        if page == "users":
            for user in at.dataframe[0].value["user"]:
                at.selectbox(key="users.selected").set_value(user).run()
                assert leaks(at) == [], user
