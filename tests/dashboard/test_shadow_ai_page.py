"""Shadow AI: apps and hosts seen, decrypted or not, grouped by category, with the status the
proxy applies and the catalog's risk rating and its reasons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.app_profile import NOT_IN_CATALOG, profile
from dashboard.settings import ENV
from tests.dashboard.conftest import OpenApp

# A site catalog that rates the fixture's apps, so the page's ratings follow from this file
# and not from whatever the shipped catalog knows today. Entries replace the shipped ones.
SITE_CATALOG = """\
version: 1
apps:
  - id: openai
    name: OpenAI API
    vendor: OpenAI
    kind: api
    category: model_api
    schema: openai
    hosts: [api.openai.com]
    sanctioned: tolerated
    risk:
      terms: [https://vendor.example/terms]
      training: "no"
      sso: "yes"
      certifications: [soc2]
      agreements: [dpa]
  - id: character-ai
    name: Character.AI
    vendor: Character Technologies
    kind: web_app
    category: chat
    schema: generic
    hosts: [character.ai, neo.character.ai]
    sanctioned: unsanctioned
    risk:
      terms: [https://vendor.example/privacy]
      training: "yes"
  - id: chatgpt-web
    name: ChatGPT
    vendor: OpenAI
    kind: web_app
    category: chat
    schema: chatgpt_web
    hosts: [chatgpt.com]
    sanctioned: unsanctioned
    risk:
      terms: [https://vendor.example/privacy]
      training: "no"
"""


def _app_tables(at: AppTest) -> pd.DataFrame:
    """Every per-category app table on the page, as one frame indexed by catalog id."""
    tables = [d.value for d in at.dataframe if "rating" in d.value.columns]
    return pd.concat(tables).set_index("app")


@pytest.fixture
def site_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "site-catalog.yaml"
    path.write_text(SITE_CATALOG)
    monkeypatch.setenv(ENV["catalogs"], str(path))
    return path


def test_apps_with_users_visits_and_sanctioned_status(open_app: OpenApp):
    at = open_app("viewer")
    at.switch_page("pages/shadow_ai.py").run()
    assert not at.exception
    apps = _app_tables(at)
    # The fixture policy sanctions openai: that overrides the catalog's "tolerated".
    assert (apps.loc["openai", "status"], apps.loc["openai", "status_from"]) == (
        "sanctioned",
        "policy",
    )
    assert (apps.loc["chatgpt-web", "status"], apps.loc["chatgpt-web", "status_from"]) == (
        "unsanctioned",
        "catalog",
    )
    character = apps.loc["character-ai"]  # seen only as an undecrypted tunnel
    assert (character["requests"], character["visits"], character["users"]) == (0, 1, 1)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Unsanctioned apps in use"] == "2"
    assert metrics["People on unsanctioned apps"] == "1"  # dave, on both
    hosts = at.dataframe[-1].value
    assert "neo.character.ai" in set(hosts["host"])


def test_apps_are_grouped_by_category_with_their_rating_and_its_reasons(
    open_app: OpenApp, site_catalog: Path
):
    """The security team reads, per category, each app's risk and why it has it."""
    at = open_app("viewer")
    at.switch_page("pages/shadow_ai.py").run()
    assert not at.exception
    # Dave used both chat apps; the API was used by six people.
    assert [e.label for e in at.expander] == [
        "Model APIs: 1 app, 6 people",
        "Chat assistants: 2 apps, 1 person",
    ]
    apps = _app_tables(at)
    assert apps.loc["openai", "rating"] == "low"
    assert list(apps.loc["openai", "reasons"]) == [
        "inputs are not used for training by default",
        "single sign-on",
        "SOC 2 certified",
        "offers DPA",
    ]
    character = apps.loc["character-ai"]
    assert character["rating"] == "high"
    assert list(character["reasons"]) == [
        "inputs are used for training by default (whether it can be turned off is not documented)"
    ]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["High-risk apps in use"] == "1"


def test_riskiest_apps_come_first_within_a_category(open_app: OpenApp, site_catalog: Path):
    at = open_app("viewer")
    at.switch_page("pages/shadow_ai.py").run()
    chat = next(d.value for d in at.dataframe if "character-ai" in set(d.value.get("app", [])))
    assert list(zip(chat["app"], chat["rating"], strict=True)) == [
        ("character-ai", "high"),
        ("chatgpt-web", "medium"),
    ]


def test_category_summary_counts_people_once_across_apps(open_app: OpenApp, site_catalog: Path):
    at = open_app("viewer")
    at.switch_page("pages/shadow_ai.py").run()
    summary = at.dataframe[0].value.set_index("category")
    chat = summary.loc["Chat assistants"]
    assert (chat["apps"], chat["people"], chat["unsanctioned"], chat["visits"]) == (2, 1, 2, 1)
    assert (chat["high_risk"], chat["unrated"]) == (1, 0)
    assert summary.loc["Model APIs", "high_risk"] == 0


def test_risk_filter_shows_only_the_chosen_ratings(open_app: OpenApp, site_catalog: Path):
    at = open_app("viewer")
    at.switch_page("pages/shadow_ai.py").run()
    at.multiselect(key="shadow.ratings").set_value(["low"]).run()
    assert not at.exception
    apps = _app_tables(at)
    assert list(apps.index) == ["openai"]
    assert [e.label for e in at.expander] == ["Model APIs: 1 app, 6 people"]
    # The summary still counts every app, so the filter never hides that others were used.
    assert at.dataframe[0].value["apps"].sum() == 3


def test_an_app_the_catalog_no_longer_knows_is_unrated():
    unknown = profile("retired-app-id")
    assert (unknown.category_label, unknown.rating, unknown.reasons) == (
        NOT_IN_CATALOG,
        "unknown",
        ("not in the catalog",),
    )
