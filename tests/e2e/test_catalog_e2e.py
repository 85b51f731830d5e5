"""The catalog end to end: one person reaches AI apps of five different categories through the
real proxy; the Shadow AI page shows each under its category with its risk rating, and a
policy that blocks `risk: [high]` answers the high-risk one with its block page."""

from __future__ import annotations

from pathlib import Path

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth.roles import Role
from dashboard.auth.users import DashboardUser, DashboardUsers
from dashboard.settings import ENV
from tests.dashboard.conftest import APP, sign_in
from tests.dashboard.fixture_store import PASSWORDS
from tests.e2e.conftest import ALICE_ON_LOOPBACK, StartWarden
from tests.support import MockProviders
from warden.catalog import Catalog, CatalogEntry

pytestmark = pytest.mark.e2e

BLOCK_HIGH_RISK = """
version: 1
default_action: monitor
rules:
  - id: no-high-risk-ai
    match: {risk: [high]}
    action: block
    message: "This app trains on what you type unless you opt out; it is not approved (SEC-77)."
"""

# The test's own rating of one app, standing in for what a site's reviewer read in the
# vendor's terms (a site file may rate apps; see docs/catalog.md). It says nothing about
# ElevenLabs' actual terms: the shipped catalog leaves them unknown.
SITE_CATALOG = """\
version: 1
apps:
  - id: elevenlabs-web
    name: ElevenLabs (rated by this site)
    vendor: ElevenLabs
    kind: web_app
    category: voice
    schema: generic
    hosts: [elevenlabs.io]
    sanctioned: unsanctioned
    risk:
      terms: [https://reviews.corp.example/ai/elevenlabs]
      training: "yes"
      training_opt_out: "yes"
"""

# One app of each of five categories the catalog gained for issue 20, and how it is used.
VISITS = {
    "fireflies-api": ("POST", "https://api.fireflies.ai/graphql", {"query": "{ user { name } }"}),
    "tabnine": ("POST", "https://api.tabnine.com/v1/example", {"prompt": "def total(xs):"}),
    "bfl": ("POST", "https://api.bfl.ai/v1/example", {"prompt": "a lighthouse at dusk"}),
    "tavily": ("POST", "https://api.tavily.com/search", {"query": "supplier price list"}),
}
HIGH_RISK = ("elevenlabs-web", "https://elevenlabs.io/app/speech-synthesis")
BROWSER = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "document"}
CATEGORY_HEADINGS = {
    "meeting": "Meeting recorders and transcription",
    "coding": "Coding assistants and AI IDEs",
    "image": "Image generation",
    "search": "AI search",
    "voice": "Voice and music",
}


def _entry(catalog: Catalog, app: str) -> CatalogEntry:
    entry = catalog.get(app)
    assert entry is not None, app
    return entry


def _dashboard_users(path: Path) -> Path:
    hashed = bcrypt.hashpw(PASSWORDS["viewer"].encode(), bcrypt.gensalt(4)).decode()
    DashboardUsers(users={"viewer": DashboardUser(role=Role.VIEWER, password=hashed)}).save(path)
    return path


def test_five_categories_on_the_shadow_ai_page_and_the_high_risk_one_blocked(
    start_warden: StartWarden,
    mock: MockProviders,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    site = tmp_path / "site-catalog.yaml"
    site.write_text(SITE_CATALOG)
    warden = start_warden(
        policy=BLOCK_HIGH_RISK, identity=ALICE_ON_LOOPBACK, extra_args=["--catalog", str(site)]
    )
    mock.clear()
    catalog = Catalog.default(site)
    assert {_entry(catalog, app).category.value for app in [*VISITS, HIGH_RISK[0]]} == set(
        CATEGORY_HEADINGS
    )

    with warden.client() as client:
        for app, (method, url, body) in VISITS.items():
            answer = client.request(method, url, json=body)
            host = url.split("/")[2]
            assert (answer.status_code, answer.text) == (200, f"hello from {host}"), app
        page = client.get(HIGH_RISK[1], headers=BROWSER)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    assert "it is not approved (SEC-77)" in page.text
    assert mock.requests_to("elevenlabs.io") == []  # nothing reached the app

    events = {e["app"]: e for e in warden.events()}
    assert set(events) == {*VISITS, HIGH_RISK[0]}
    assert events[HIGH_RISK[0]]["blocked"] is True
    assert not any(events[app]["blocked"] for app in VISITS)

    # The security team's view of the same store, as the dashboard reads it.
    monkeypatch.setenv(ENV["data_dir"], str(warden.data_dir))
    monkeypatch.setenv(ENV["users_file"], str(_dashboard_users(tmp_path / "users.yaml")))
    monkeypatch.setenv(ENV["policy"], str(warden.policy))
    monkeypatch.setenv(ENV["catalogs"], str(site))
    monkeypatch.setenv(ENV["proxy"], "")
    monkeypatch.setenv(ENV["refresh_s"], "0")
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    sign_in(at, "viewer")
    at.switch_page("pages/shadow_ai.py").run()
    assert not at.exception, at.exception

    assert sorted(e.label for e in at.expander) == sorted(
        f"{heading}: 1 app, 1 person" for heading in CATEGORY_HEADINGS.values()
    )
    shown = {
        row["app"]: row
        for table in at.dataframe
        if "rating" in table.value.columns
        for row in table.value.to_dict("records")
    }
    assert set(shown) == {*VISITS, HIGH_RISK[0]}
    for app, row in shown.items():
        rating = _entry(catalog, app).rating
        assert (row["rating"], list(row["reasons"])) == (rating.level.value, list(rating.reasons))
    blocked = shown[HIGH_RISK[0]]
    assert (blocked["rating"], blocked["blocked"]) == ("high", 1)
    assert list(blocked["reasons"]) == [
        "inputs are used for training by default (it can be turned off)"
    ]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["High-risk apps in use"] == "1"
