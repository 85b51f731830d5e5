"""Review: the queue, a request's details, and review actions recorded with who and when."""

from __future__ import annotations

import time

import yaml
from streamlit.testing.v1 import AppTest

from dashboard.queries import review as queue_sql
from dashboard.queries.source import open_views
from dashboard.queries.timerange import TimeRange
from dashboard.review.escalation import alert_store
from dashboard.review.store import ReviewStore
from tests.dashboard.conftest import OpenApp, plain
from tests.dashboard.fixture_store import (
    BLOCKED_ID,
    COACHED_ID,
    EMAIL,
    EMAIL_PREVIEW,
    FLAGGED_ID,
    PROMPT_MARKER,
    REDACTED_ID,
    SECRET_ID,
    FixtureStore,
)
from warden.policy.model import load_policy


def open_request(at: AppTest, event_id: str) -> AppTest:
    at.switch_page("pages/review.py").run()
    at.selectbox(key="review.selected").set_value(event_id).run()
    assert not at.exception, at.exception
    return at


def text_of(at: AppTest) -> str:
    parts = [plain(m.value) for m in at.markdown] + [c.value for c in at.code]
    parts += [plain(c.value) for c in at.caption]
    parts += [str(d.value.to_dict()) for d in at.dataframe]
    return "\n".join(parts)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_queue_lists_blocked_coached_redacted_and_flagged_requests(open_app: OpenApp):
    at = open_app("analyst")
    at.switch_page("pages/review.py").run()
    table = at.dataframe[0].value
    assert set(table["outcome"]) == {"blocked", "coached", "redacted", "flagged"}
    assert len(table) == 5
    assert "**5** requests match." in at.markdown[0].value
    assert PROMPT_MARKER not in text_of(at)  # the queue itself never shows prompt text


def test_filtering_by_outcome_narrows_the_queue(open_app: OpenApp):
    at = open_app("analyst")
    at.switch_page("pages/review.py").run()
    at.multiselect(key="review.outcomes").set_value(["blocked"]).run()
    table = at.dataframe[0].value
    assert sorted(table["rule_id"]) == ["no-gpt5", "no-secrets"]
    assert "**2** requests match." in at.markdown[0].value
    at.multiselect(key="review.outcomes").set_value(["coached"]).run()
    assert "**1** request matches." in at.markdown[0].value  # not "1 requests match"


def test_analyst_sees_the_decision_masked_findings_and_captured_prompt(open_app: OpenApp):
    at = open_request(open_app("analyst"), REDACTED_ID)
    text = text_of(at)
    assert "protect-personal-data" in text
    assert EMAIL_PREVIEW in text
    assert EMAIL not in text  # only ever the masked preview
    assert PROMPT_MARKER in text


def test_a_blocked_request_in_redacted_mode_explains_why_no_prompt_was_kept(open_app: OpenApp):
    at = open_request(open_app("analyst"), BLOCKED_ID)
    assert any("was not forwarded" in c.value for c in at.caption)


def test_mark_reviewed_records_who_and_when_and_shows_the_new_state(
    open_app: OpenApp, store: FixtureStore
):
    at = open_request(open_app("analyst"), BLOCKED_ID)
    assert "Review state: Open" in text_of(at)
    at.text_input(key=f"note.{BLOCKED_ID}").input("checked with alice")
    before = time.time()
    button(at, "Mark reviewed").click().run()
    (action,) = ReviewStore.for_data_dir(store.data_dir).history(BLOCKED_ID)
    assert (action.action, action.who, action.role, action.note) == (
        "reviewed",
        "analyst",
        "analyst",
        "checked with alice",
    )
    assert before <= action.at <= time.time()
    at.run()
    assert "Review state: Reviewed** by analyst" in text_of(at)
    table = at.dataframe[0].value
    assert table.loc[table["rule_id"] == "no-gpt5", "state"].iloc[0] == "reviewed"


def test_escalating_raises_an_alert_in_the_alert_store(open_app: OpenApp, store: FixtureStore):
    at = open_request(open_app("analyst"), SECRET_ID)
    at.text_input(key=f"note.{SECRET_ID}").input("key belongs to prod")
    button(at, "Escalate").click().run()
    (action,) = ReviewStore.for_data_dir(store.data_dir).history(SECRET_ID)
    assert action.action == "escalated"
    view = alert_store(store.data_dir).get(action.details["alert_id"])
    assert view is not None
    assert view.alert["first_event_id"] == SECRET_ID
    assert view.alert["reasons"][0]["text"] == "key belongs to prod"
    assert view.alert["evidence"][0]["preview"].startswith("sk-pr")


def test_analyst_false_positive_offers_no_policy_edit(open_app: OpenApp, store: FixtureStore):
    at = open_request(open_app("analyst"), REDACTED_ID)
    button(at, "False positive").click().run()
    at.run()
    assert "An admin can add the value" in "\n".join(c.value for c in at.caption)
    assert not [t for t in at.text_input if t.label == "Value to allow"]


def test_admin_adds_a_false_positive_to_the_allow_list(open_app: OpenApp, store: FixtureStore):
    before = store.policy.read_text()
    at = open_request(open_app("admin"), REDACTED_ID)
    button(at, "False positive").click().run()
    at.run()
    at.text_input(key=f"allow.value.{REDACTED_ID}").input(EMAIL).run()
    assert [s.value for s in at.success] == ["This is the value that was found in the request."]
    button(at, "Add to dlp.allow_list").click().run()
    assert "The proxy reloads it within a second." in at.success[-1].value

    assert load_policy(store.policy).dlp.allow_list == [EMAIL]
    after = store.policy.read_text()
    # Everything else in the file is untouched, comments included.
    assert "# Allow-list entries below are added by the dashboard" in after
    assert f"EMAIL_ADDRESS false positive in request {REDACTED_ID}, added by admin" in after
    assert len(after.splitlines()) == len(before.splitlines()) + 2
    actions = ReviewStore.for_data_dir(store.data_dir).history(REDACTED_ID)
    assert [a.action for a in actions] == ["false_positive", "allowlist_added"]
    assert actions[1].details["preview"] == EMAIL_PREVIEW  # the trail keeps no raw value
    assert actions[1].details["matched_finding"] is True


def test_allow_list_entry_is_not_written_when_the_policy_does_not_validate(
    open_app: OpenApp, store: FixtureStore
):
    at = open_request(open_app("admin"), REDACTED_ID)
    button(at, "False positive").click().run()
    broken = store.policy.read_text().replace("default_action: monitor", "default_action: maybe")
    store.policy.write_text(broken)
    at.run()
    assert "cannot be edited here" in at.error[0].value
    assert store.policy.read_text() == broken


def test_a_value_that_does_not_match_the_finding_is_flagged(open_app: OpenApp):
    at = open_request(open_app("admin"), REDACTED_ID)
    button(at, "False positive").click().run()
    at.run()
    at.text_input(key=f"allow.value.{REDACTED_ID}").input("someone.else@example.com").run()
    assert "does not match" in at.warning[0].value


def test_export_holds_the_filtered_set_without_prompt_text(store: FixtureStore):
    with open_views(store.data_dir) as con:
        text = queue_sql.export_csv(
            con, TimeRange.last(None), queue_sql.ReviewFilter(outcomes=("blocked", "coached"))
        )
    lines = text.splitlines()
    assert lines[0].startswith("time,id,user,groups,provider,app")
    ids = {line.split(",")[1] for line in lines[1:]}
    assert ids == {BLOCKED_ID, SECRET_ID, COACHED_ID}
    assert PROMPT_MARKER not in text and FLAGGED_ID not in text


def test_the_page_offers_the_export(open_app: OpenApp):
    at = open_app("analyst")
    at.switch_page("pages/review.py").run()
    assert at.get("download_button")[0].proto.label == "Export CSV"


def test_rule_trace_against_the_current_policy(open_app: OpenApp):
    at = open_request(open_app("analyst"), BLOCKED_ID)
    button(at, "Run the trace").click().run()
    assert "Now: block by **no-gpt5**" in text_of(at)


def test_fixture_policy_is_valid(store: FixtureStore):
    assert yaml.safe_load(store.policy.read_text())["name"] == "fixture"
    load_policy(store.policy)
