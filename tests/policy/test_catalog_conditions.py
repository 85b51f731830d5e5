"""Policy rules on what an app is for (`categories`) and on its catalog rating (`risk`),
decided the way `warden policy test` decides them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from warden.catalog import SHIPPED_CATALOG, Catalog
from warden.errors import ConfigError
from warden.identity.resolver import Identity
from warden.policy import Action, load_policy
from warden.policy.dryrun import dry_run

POLICY = """\
version: 1
default_action: allow
rules:
  - id: no-training-apps
    match: {risk: [high]}
    action: block
    message: This app trains on what you type.
  - id: coach-meeting-recorders
    match: {categories: [meeting], kinds: [web_app]}
    action: coach
    message: Recording meetings needs everyone's consent.
"""

# Two apps a site added, one whose terms say it trains on inputs by default.
SITE = """\
version: 1
apps:
  - id: trainer
    name: Trainer
    vendor: Example
    kind: web_app
    category: writing
    schema: generic
    hosts: [trainer.example]
    sanctioned: unsanctioned
    source: https://trainer.example/network
    risk:
      terms: [https://trainer.example/terms]
      training: yes
      training_opt_out: no
  - id: careful
    name: Careful
    vendor: Example
    kind: web_app
    category: writing
    schema: generic
    hosts: [careful.example]
    sanctioned: unsanctioned
    source: https://careful.example/network
    risk:
      terms: [https://careful.example/terms]
      training: no
"""

ALICE = Identity("alice", (), None, "dry-run", "10.0.0.5")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    root = tmp_path_factory.mktemp("conditions")
    (root / "policy.yaml").write_text(POLICY)
    (root / "site.yaml").write_text(SITE)
    return load_policy(root / "policy.yaml"), Catalog.load(SHIPPED_CATALOG, root / "site.yaml")


@pytest.mark.parametrize(
    ("host", "action", "rule"),
    [
        ("trainer.example", Action.BLOCK, "no-training-apps"),
        ("careful.example", Action.ALLOW, None),  # rated medium: not blocked, not coached
        ("otter.ai", Action.COACH, "coach-meeting-recorders"),  # a meeting recorder's web app
        ("api.assemblyai.com", Action.ALLOW, None),  # a meeting API, but not a web app
        ("api.openai.com", Action.ALLOW, None),
    ],
)
def test_rules_match_category_and_rating(setup: tuple, host: str, action: Action, rule) -> None:
    policy, catalog = setup
    run = dry_run(policy, catalog, ALICE, host, prompt="minutes of today's board meeting")
    assert (run.decision.action, run.decision.rule_id) == (action, rule)


def test_the_explanation_names_the_category_and_rating(setup: tuple) -> None:
    policy, catalog = setup
    run = dry_run(policy, catalog, ALICE, "careful.example", prompt="hi")
    report = run.to_dict()
    assert report["request"]["category"] == "writing"
    assert report["request"]["risk"] == "medium"
    why = {t["rule_id"]: t["why"] for t in report["trace"]}
    assert "'medium' is not one of ['high']" in why["no-training-apps"]
    assert "'writing' is not one of ['meeting']" in why["coach-meeting-recorders"]


@pytest.mark.parametrize(
    ("match", "problem"),
    [
        ("{categories: [meetings]}", "unknown app category 'meetings'"),
        ("{risk: [severe]}", "rules.0.match.risk.0"),
    ],
)
def test_unknown_categories_and_ratings_are_refused_with_position(
    tmp_path: Path, match: str, problem: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        textwrap.dedent(f"""\
            version: 1
            rules:
              - id: r
                match: {match}
                action: block
            """)
    )
    with pytest.raises(ConfigError) as raised:
        load_policy(path)
    assert str(raised.value).startswith(f"{path}:4:")
    assert problem in str(raised.value)
