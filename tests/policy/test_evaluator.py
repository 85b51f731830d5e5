"""Policy evaluation: model lists first, then the first matching rule, then the default."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from warden.dlp.types import Finding
from warden.errors import ConfigError
from warden.policy import Action, Policy, PolicyContext, evaluate, load_policy
from warden.policy.model import RedactionStyle

POLICY = Policy.model_validate(
    {
        "default_action": "monitor",
        "models": [
            {"groups": ["interns"], "allow": ["gpt-4o-mini*", "claude-haiku*"]},
            {"groups": ["*"], "deny": ["o1-pro*"], "message": "o1-pro is too expensive."},
        ],
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


def ctx(**kwargs: object) -> PolicyContext:
    base: dict[str, object] = {"user": "alice", "app": "openai", "kind": "api"}
    base.update(kwargs)
    return PolicyContext(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("context", "action", "rule"),
    [
        (ctx(groups=("ops",), model="gpt-5-mini"), Action.ALLOW, "ops-anything"),
        (ctx(model="gpt-5-mini"), Action.BLOCK, "no-gpt5"),
        (ctx(model="GPT-5"), Action.BLOCK, "no-gpt5"),  # globs ignore case
        (ctx(model="gpt-4o"), Action.MONITOR, None),  # nothing matched: default
        (ctx(app="anthropic", model="gpt-5"), Action.MONITOR, None),
        (
            ctx(groups=("contractors",), app="chatgpt-web", kind="web_app"),
            Action.BLOCK,
            "contractors-web",
        ),
        # Model lists come before rules: even ops cannot use o1-pro.
        (ctx(groups=("ops",), model="o1-pro"), Action.BLOCK, "models[1]"),
        (ctx(groups=("interns",), model="gpt-4o"), Action.BLOCK, "models[0]"),
        (ctx(groups=("interns",), model="gpt-4o-mini"), Action.MONITOR, None),
        # No model known (a web page load): model lists do not apply.
        (ctx(groups=("interns",), model=None), Action.MONITOR, None),
    ],
)
def test_precedence_model_lists_then_first_matching_rule_then_default(context, action, rule):
    decision = evaluate(POLICY, context)
    assert (decision.action, decision.rule_id) == (action, rule)


def test_model_list_reason_names_the_model_and_group():
    decision = evaluate(POLICY, ctx(groups=("interns",), model="gpt-4o"))
    assert decision.reason == "Model gpt-4o is not permitted for group interns (model allow-list)."
    assert evaluate(POLICY, ctx(model="o1-pro-2025")).reason == "o1-pro is too expensive."


def test_block_reason_is_the_rule_message_or_the_default_message():
    assert evaluate(POLICY, ctx(model="gpt-5")).reason == "GPT-5 is not approved yet"
    contractor = evaluate(POLICY, ctx(groups=("contractors",), kind="web_app"))
    assert contractor.reason == POLICY.default_message
    assert contractor.status == 403


def test_trace_lists_every_rule_considered_and_why():
    decision = evaluate(POLICY, ctx(model="gpt-5"), explain=True)
    assert [(t.rule_id, t.matched) for t in decision.trace] == [
        ("ops-anything", False),
        ("no-gpt5", True),
    ]
    assert "share none of ['ops']" in decision.trace[0].why


def test_fast_path_and_explained_path_agree():
    for context in (ctx(model="gpt-5"), ctx(groups=("ops",)), ctx(kind="web_app")):
        fast = evaluate(POLICY, context)
        slow = evaluate(POLICY, context, explain=True)
        assert (fast.action, fast.rule_id) == (slow.action, slow.rule_id)


def _finding(entity: str, score: float = 0.9) -> Finding:
    return Finding(entity, ("messages", 0, "content"), 0, 5, score, "h", "ab...cd")


MONDAY_10_BERLIN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
MONDAY_23_BERLIN = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
TUESDAY_02_BERLIN = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
SATURDAY_10_BERLIN = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

CONDITIONS = [
    ({"users": ["alice"]}, ctx(), ctx(user="bob")),
    ({"groups": ["eng"]}, ctx(groups=("eng", "x")), ctx(groups=("x",))),
    ({"source_cidrs": ["10.1.0.0/16"]}, ctx(client_ip="10.1.2.3"), ctx(client_ip="10.2.0.1")),
    ({"providers": ["openai"]}, ctx(vendor="OpenAI"), ctx(vendor="Anthropic")),
    ({"apps": ["openai"]}, ctx(app="openai"), ctx(app="azure-openai")),
    ({"kinds": ["web_app"]}, ctx(kind="web_app"), ctx(kind="api")),
    ({"hosts": ["*.openai.azure.com"]}, ctx(host="x.openai.azure.com"), ctx(host="openai.com")),
    ({"endpoints": ["embedding"]}, ctx(endpoint="embedding"), ctx(endpoint="chat")),
    ({"models": ["claude-*-4*"]}, ctx(model="claude-opus-4-1"), ctx(model="claude-3-haiku")),
    ({"sanctioned": ["unsanctioned"]}, ctx(sanctioned="unsanctioned"), ctx(sanctioned="tolerated")),
    (
        {
            "time": {
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "from": "09:00",
                "to": "18:00",
                "timezone": "Europe/Berlin",
            }
        },
        ctx(now=MONDAY_10_BERLIN),
        ctx(now=SATURDAY_10_BERLIN),
    ),
    (
        {"time": {"days": ["mon"], "from": "22:00", "to": "06:00", "timezone": "Europe/Berlin"}},
        ctx(now=TUESDAY_02_BERLIN),  # after midnight belongs to Monday's night
        ctx(now=MONDAY_10_BERLIN),
    ),
    ({"prompt_tokens": {"min": 1000}}, ctx(prompt_tokens=1500), ctx(prompt_tokens=999)),
    ({"prompt_bytes": {"max": 100}}, ctx(prompt_bytes=100), ctx(prompt_bytes=101)),
    ({"attachments": True}, ctx(attachments=2), ctx(attachments=0)),
    ({"attachments": False}, ctx(attachments=0), ctx(attachments=1)),
    (
        {"dlp": {"entities": ["SECRETS"]}},
        ctx(findings=(_finding("OPENAI_API_KEY"),)),
        ctx(findings=(_finding("EMAIL_ADDRESS"),)),
    ),
    (
        {"dlp": {"entities": ["PII"], "min_count": 2}},
        ctx(findings=(_finding("EMAIL_ADDRESS"), _finding("PERSON"))),
        ctx(findings=(_finding("EMAIL_ADDRESS"),)),
    ),
    (
        {"dlp": {"entities": ["US_SSN"], "min_score": 0.8}},
        ctx(findings=(_finding("US_SSN"),)),
        ctx(findings=(_finding("US_SSN", 0.6),)),
    ),
    ({"dlp": {"entities": ["ALL"]}}, ctx(findings=(_finding("SOME_NEW_TYPE"),)), ctx()),
]


@pytest.mark.parametrize(("match", "holds", "fails"), CONDITIONS)
def test_each_condition_matches_and_refuses(match, holds, fails):
    policy = Policy.model_validate(
        {"timezone": "UTC", "rules": [{"id": "r", "match": match, "action": "block"}]}
    )
    assert evaluate(policy, holds).rule_id == "r"
    assert evaluate(policy, fails).rule_id is None
    explained = evaluate(policy, fails, explain=True)
    assert explained.trace[0].matched is False
    assert explained.trace[0].why  # the trace says which condition failed


@pytest.mark.parametrize(
    ("rule", "action", "status"),
    [
        ({"action": "allow"}, Action.ALLOW, 200),
        ({"action": "monitor"}, Action.MONITOR, 200),
        ({"action": "block", "message": "no"}, Action.BLOCK, 403),
        ({"action": "coach", "message": "careful"}, Action.COACH, 200),
        (
            {"action": "redact", "redact": [{"entities": ["SECRETS"], "style": "mask"}]},
            Action.REDACT,
            200,
        ),
    ],
)
def test_each_action_is_decided(rule, action, status):
    policy = Policy.model_validate({"rules": [{"id": "r", **rule}]})
    decision = evaluate(policy, ctx())
    assert (decision.action, decision.status) == (action, status)


def test_redact_action_carries_its_specs_and_alerts_combine():
    policy = Policy.model_validate(
        {
            "rules": [
                {
                    "id": "protect",
                    "match": {"dlp": {"entities": ["ALL"]}},
                    "action": "redact",
                    "redact": [
                        {"entities": ["SECRETS"], "style": "mask"},
                        {"entities": ["PII"], "style": "placeholder", "reversible": True},
                    ],
                    "alert": {"severity": "high"},
                }
            ]
        }
    )
    decision = evaluate(policy, ctx(findings=(_finding("EMAIL_ADDRESS"),)))
    assert decision.action is Action.REDACT
    assert [(sorted(r.entities), r.style, r.reversible) for r in decision.redactions] == [
        (["SECRETS"], RedactionStyle.MASK, False),
        (["PII"], RedactionStyle.PLACEHOLDER, True),
    ]
    assert decision.to_dict()["alert"] == {"severity": "high", "title": None}


@pytest.mark.parametrize(
    ("yaml_text", "where"),
    [
        ("version: 1\nrules:\n  - id: r1\n    action: explode\n", "4:13: rules.0.action"),
        ("version: 2\n", "1:10: version"),
        (
            "version: 1\nrules:\n  - id: r\n    action: block\n    match: {colour: red}\n",
            "5:13: rules.0.match.colour",
        ),
        ("version: 1\nrules:\n  - id: r\n    action: redact\n", "3:5: rules.0"),
        ("version: 1\ntimezone: Mars/Olympus\n", "2:11: timezone"),
        ("version: 1\nrules:\n  - {id: a, action: allow}\n  - {id: a, action: block}\n", "1:1:"),
        ("version: 1\nquotas:\n  - {id: q, requests: 10}\n", "3:5: quotas.0"),
        ("version: 1\nmodels:\n  - {groups: [x], allow: [a], deny: [b]}\n", "3:5: models.0"),
        (
            "version: 1\nrules:\n  - id: r\n    action: block\n"
            "    match: {time: {from: '25:00'}}\n",
            "rules.0.match.time.from",
        ),
        ("rules: [\n", "invalid YAML"),
    ],
)
def test_invalid_policy_names_file_line_column_and_field(tmp_path: Path, yaml_text, where):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as raised:
        load_policy(path)
    assert str(raised.value).startswith(str(path))
    assert where in str(raised.value)


POLICIES = Path(__file__).parents[2] / "policies"


@pytest.mark.parametrize(
    "name",
    sorted(
        str(p.relative_to(POLICIES)) for p in POLICIES.rglob("*.yaml") if p.name != "identity.yaml"
    ),
)
def test_shipped_policies_load(name):
    load_policy(POLICIES / name)
