"""The `alerts:` section of a policy: validated strictly, errors point at file:line:column."""

from __future__ import annotations

import textwrap

import pytest

from warden.errors import ConfigError
from warden.policy.model import Policy
from warden.yamlfile import parse_yaml_model

GOOD = """
version: 1
alerts:
  sinks:
    soc-slack: {type: slack, webhook_url_env: WARDEN_SLACK_URL}
    soc-hook: {type: webhook, url: "https://soc.example.com/hook", secret_env: WARDEN_HMAC}
    soc-mail:
      type: email
      host: smtp.example.com
      username: warden
      password_env: WARDEN_SMTP_PASSWORD
      from: warden@example.com
      to: [soc@example.com]
    siem: {type: syslog, host: siem.example.com, port: 6514, protocol: tcp, format: cef}
  rules:
    - id: leaked-secret
      when: {detectors: [secret, secret_burst]}
      severity: high
      sinks: [soc-slack, soc-hook, soc-mail, siem]
      dedupe_key: "{rule}:{user}:{detector}"
      throttle: 10m
    - id: jailbreaks
      when: {detectors: [jailbreak, prompt_injection, obfuscated_payload], min_score: 0.6}
      sinks: [siem]
      throttle: 1h
"""


def parse(text: str) -> Policy:
    return parse_yaml_model(textwrap.dedent(text), Policy, source="p.yaml")


def test_a_full_alerts_section_loads():
    alerts = parse(GOOD).alerts
    assert set(alerts.sinks) == {"soc-slack", "soc-hook", "soc-mail", "siem"}
    assert alerts.rules[0].throttle_s == 600
    assert alerts.sinks["soc-mail"].port == 587 and alerts.sinks["soc-mail"].starttls


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("sinks: [soc-slack, soc-hook, soc-mail, siem]", "sinks: [pager]"),
         "names sink 'pager', which alerts.sinks does not define"),
        (("detectors: [secret, secret_burst]", "detectors: [secrets]"), "unknown detector"),
        (('"{rule}:{user}:{detector}"', '"{rule}:{username}"'), "unknown placeholder {username}"),
        (("throttle: 10m", "throttle: soon"), "is not a duration"),
        (("protocol: tcp", "protocol: quic"), "protocol"),
        (("secret_env: WARDEN_HMAC}", "secret: hunter2}"), "Extra inputs are not permitted"),
        (("password_env: WARDEN_SMTP_PASSWORD", "password: hunter2"),
         "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_mistakes_are_reported_with_their_position(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(ConfigError) as raised:
        parse(GOOD.replace(old, new))
    text = str(raised.value)
    assert text.startswith("p.yaml:") and message in text
    line = int(text.split(":")[1])
    assert line > 2, "points into the alerts section"


def test_secrets_are_never_inline_and_never_echoed_in_errors():
    bad = GOOD.replace("secret_env: WARDEN_HMAC}", "secret_env: 'not a name'}")
    with pytest.raises(ConfigError) as raised:
        parse(bad)
    assert "environment variable name" in str(raised.value)


def test_no_alerts_section_means_the_default_store_only_rule():
    alerts = parse("version: 1").alerts
    [rule] = alerts.active_rules()
    assert rule.id == "default" and rule.sinks == []


def test_shipped_policies_still_load():
    from pathlib import Path

    from warden.policy import load_policy

    for path in (Path(__file__).parents[2] / "policies").rglob("*.yaml"):
        if path.name != "identity.yaml":
            load_policy(path)
