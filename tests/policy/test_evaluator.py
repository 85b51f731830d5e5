"""Policy evaluation: first matching rule wins; the default applies when none match."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.errors import ConfigError
from warden.policy import Action, Policy, PolicyContext, evaluate, load_policy

POLICY = Policy.model_validate(
    {
        "default_action": "monitor",
        "rules": [
            {"id": "ops-anything", "match": {"groups": ["ops"]}, "action": "allow"},
            {
                "id": "no-gpt5",
                "match": {"apps": ["openai"], "models": ["gpt-5*"]},
                "action": "block",
                "message": "GPT-5 is not approved yet",
            },
            {
                "id": "contractors-web",
                "match": {"groups": ["contractors"], "kinds": ["web_app"]},
                "action": "block",
            },
        ],
    }
)


@pytest.mark.parametrize(
    ("ctx", "action", "rule"),
    [
        (
            PolicyContext("a", ("ops",), "openai", "api", model="gpt-5-mini"),
            Action.ALLOW,
            "ops-anything",
        ),
        (PolicyContext("a", (), "openai", "api", model="gpt-5-mini"), Action.BLOCK, "no-gpt5"),
        (PolicyContext("a", (), "openai", "api", model="GPT-5"), Action.BLOCK, "no-gpt5"),
        (PolicyContext("a", (), "openai", "api", model="gpt-4o"), Action.MONITOR, None),
        (PolicyContext("a", (), "anthropic", "api", model="gpt-5"), Action.MONITOR, None),
        (
            PolicyContext("c", ("contractors",), "chatgpt", "web_app"),
            Action.BLOCK,
            "contractors-web",
        ),
    ],
)
def test_first_matching_rule_decides(ctx, action, rule):
    decision = evaluate(POLICY, ctx)
    assert (decision.action, decision.rule_id) == (action, rule)


def test_block_reason_is_the_rule_message_or_the_default_message():
    blocked = evaluate(POLICY, PolicyContext("a", (), "openai", "api", model="gpt-5"))
    assert blocked.reason == "GPT-5 is not approved yet"
    contractor = evaluate(POLICY, PolicyContext("c", ("contractors",), "x", "web_app"))
    assert contractor.reason == POLICY.default_message


def test_trace_lists_every_rule_considered_until_the_match():
    decision = evaluate(POLICY, PolicyContext("a", (), "openai", "api", model="gpt-5"))
    assert [(t.rule_id, t.matched) for t in decision.trace] == [
        ("ops-anything", False),
        ("no-gpt5", True),
    ]


def test_shipped_default_policy_loads():
    policy = load_policy(Path(__file__).parents[2] / "policies" / "default.yaml")
    assert policy.default_action is Action.MONITOR


def test_invalid_policy_names_file_line_and_field(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nrules:\n  - id: r1\n    action: explode\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:4:13: rules.0.action"):
        load_policy(path)
