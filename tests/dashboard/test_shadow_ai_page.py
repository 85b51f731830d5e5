"""Shadow AI: apps and hosts seen, decrypted or not, with the status the proxy applies."""

from __future__ import annotations

from tests.dashboard.conftest import OpenApp


def test_apps_with_users_visits_and_sanctioned_status(open_app: OpenApp):
    at = open_app("viewer")
    at.switch_page("pages/shadow_ai.py").run()
    assert not at.exception
    apps = at.dataframe[0].value.set_index("app")
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
    hosts = at.dataframe[1].value
    assert "neo.character.ai" in set(hosts["host"])
