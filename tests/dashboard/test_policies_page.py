"""Policies: validation status, last change, and a dry run identical to `warden policy test`."""

from __future__ import annotations

import json

import pytest

from tests.dashboard.conftest import OpenApp, plain
from tests.dashboard.fixture_store import FixtureStore
from warden.cli import main as warden


def test_a_valid_policy_shows_its_rules_and_last_change(open_app: OpenApp, store: FixtureStore):
    at = open_app("viewer")
    at.switch_page("pages/policies.py").run()
    assert "Valid: policy **fixture**, 3 rules" in plain(at.success[0].value)
    assert any("Last changed" in c.value for c in at.caption)
    rules = at.dataframe[0].value
    assert list(rules["rule"]) == ["no-gpt5", "no-secrets", "protect-personal-data"]


def test_a_broken_policy_shows_where_it_is_broken(open_app: OpenApp, store: FixtureStore):
    store.policy.write_text(store.policy.read_text().replace("action: block", "action: nuke", 1))
    at = open_app("viewer")
    at.switch_page("pages/policies.py").run()
    error = plain(at.error[0].value)
    assert "Does not validate" in error and f"{store.policy}:8:13: rules.0.action" in error
    assert "keeps enforcing the last version" in error


@pytest.mark.parametrize(
    ("model", "prompt", "action", "rule"),
    [
        ("gpt-5", "summarise this", "block", "no-gpt5"),
        ("gpt-4o-mini", "write to jane.doe@customer.example", "redact", "protect-personal-data"),
        ("gpt-4o-mini", "hello", "monitor", None),
    ],
)
def test_dry_run_decides_as_the_cli_does(
    open_app: OpenApp,
    store: FixtureStore,
    capsys: pytest.CaptureFixture[str],
    model: str,
    prompt: str,
    action: str,
    rule: str | None,
):
    at = open_app("viewer")
    at.switch_page("pages/policies.py").run()
    form = at.tabs[1]
    form.text_input[1].set_value(model)
    form.text_input[2].set_value("alice")
    form.text_area[0].set_value(prompt)
    form.button[0].click().run()
    assert not at.exception, at.exception
    shown = json.loads(at.json[0].value)

    assert (
        warden(
            [
                "policy",
                "test",
                str(store.policy),
                "--host",
                "api.openai.com",
                "--user",
                "alice",
                "--model",
                model,
                "--prompt",
                prompt,
                "--json",
            ]
        )
        == 0
    )
    cli = json.loads(capsys.readouterr().out)
    assert shown["decision"] == cli["decision"]
    assert shown["trace"] == cli["trace"]
    assert [f["preview"] for f in shown["findings"]] == [f["preview"] for f in cli["findings"]]
    assert (shown["decision"]["action"], shown["decision"]["rule_id"]) == (action, rule)


def test_only_admins_see_the_policy_file_itself(open_app: OpenApp, store: FixtureStore):
    store.policy.write_text(
        store.policy.read_text()
        + "alerts:\n  sinks:\n    soc: {type: slack, webhook_url: 'https://hooks.example/T0/SECRET'}\n"
    )
    for role, sees in (("viewer", False), ("analyst", False), ("admin", True)):
        at = open_app(role)
        at.switch_page("pages/policies.py").run()
        shown = "\n".join(c.value for c in at.code)
        assert ("hooks.example/T0/SECRET" in shown) is sees, role
