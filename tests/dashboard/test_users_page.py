"""Users: per-user usage, cost, blocked attempts, alerts and the documented risk score."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.queries.users import risk_band
from dashboard.review.escalation import alert_store
from tests.dashboard.conftest import OpenApp, plain
from tests.dashboard.fixture_store import FixtureStore
from warden.store import reader


def risk(alerts_high: int, alerts_other: int, blocked: int, findings: int, unsanctioned: int):
    points = 10 * alerts_high + 3 * alerts_other + 2 * blocked + findings + 0.5 * unsanctioned
    return round(100 * points / (points + 50))


def test_each_user_gets_usage_blocks_alerts_and_the_risk_score(open_app: OpenApp):
    at = open_app("viewer")
    at.switch_page("pages/users.py").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("user")
    bob = table.loc["bob@corp.example"]  # one blocked request with a secret, one high alert
    assert (bob["requests"], bob["blocked"], bob["with_findings"], bob["alerts"]) == (1, 1, 1, 1)
    assert bob["risk"] == risk(1, 0, 1, 1, 0) == 21  # 13 points
    dave = table.loc["dave@corp.example"]  # coached on ChatGPT (unsanctioned), medium alert
    assert dave["risk"] == risk(0, 1, 0, 0, 1)
    alice = table.loc["alice@corp.example"]
    assert (alice["blocked"], alice["risk"]) == (1, risk(0, 0, 1, 0, 0))
    assert table.index[0] == "bob@corp.example"  # riskiest first


def test_one_users_daily_activity(open_app: OpenApp):
    at = open_app("viewer")
    at.switch_page("pages/users.py").run()
    at.selectbox(key="users.selected").set_value("bob@corp.example").run()
    assert any(
        plain(m.value).startswith("**bob@corp.example**: risk 21 (low)") for m in at.markdown
    )
    assert len(at.get("vega_lite_chart")) == 2  # the top-risk chart and bob's days


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "low"), (29, "low"), (30, "medium"), (59, "medium"), (60, "high"), (100, "high")],
)
def test_risk_bands(score: int, band: str):
    assert risk_band(score) == band


def _choose(at: AppTest, person: str) -> AppTest:
    at.switch_page("pages/users.py").run()
    at.selectbox(key="users.selected").set_value(person).run()
    assert not at.exception, at.exception
    return at


def test_an_admin_erases_one_persons_records_after_typing_their_name(
    open_app: OpenApp, store: FixtureStore
):
    person = "bob@corp.example"
    before = reader.read_events(store.data_dir)
    theirs = sum(e["user"] == person for e in before if e["type"] != "admin")
    alerts = alert_store(store.data_dir)
    assert theirs and any(v.alert["user"] == person for v in alerts.alerts())

    at = _choose(open_app("admin"), person)
    assert at.button(key="users.erase").disabled
    at.text_input(key="users.erase_confirm").input("bob").run()
    assert at.button(key="users.erase").disabled, "a partial name must not arm the button"
    at.text_input(key="users.erase_confirm").input(person).run()
    at.button(key="users.erase").click().run()
    assert not at.exception, at.exception

    [done] = at.success
    assert plain(done.value).startswith(f"Erased {theirs} events and 1 alerts about {person}.")
    assert person not in set(at.dataframe[0].value["user"])
    after = reader.read_events(store.data_dir)
    assert person not in {e["user"] for e in after if e["type"] != "admin"}
    [erasure] = [e for e in after if e["type"] == "admin" and e["action"] == "purge_user"]
    assert erasure["actor"] == "dashboard:admin"
    assert erasure["details"]["target_user"] == person
    assert erasure["details"]["events_removed"] == theirs
    assert all(v.alert["user"] != person for v in alerts.alerts())
    # Everyone else is still there.
    assert (
        len([e for e in after if e["type"] != "admin"])
        == len([e for e in before if e["type"] != "admin"]) - theirs
    )


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_are_offered_the_erasure(open_app: OpenApp, role: str):
    at = _choose(open_app(role), "bob@corp.example")
    assert not [t for t in at.text_input if t.key == "users.erase_confirm"]
    assert not [b for b in at.button if b.key == "users.erase"]
