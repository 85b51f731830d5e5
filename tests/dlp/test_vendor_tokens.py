"""Vendor formats added after the held-out set (docs/dlp.md, "Secrets, held-out set"), the
placeholders and identifiers it found reported, and a Twilio key split into short pieces.
Every value is drawn fresh and fake; each form has a hard negative."""

from __future__ import annotations

import random
import string

import pytest

from warden.dlp.scanner import Scanner

_RNG = random.Random(20261209)
_ALNUM = string.ascii_letters + string.digits


def _s(alphabet: str, n: int) -> str:
    while True:
        value = "".join(_RNG.choices(alphabet, k=n))
        if alphabet != _ALNUM or (
            any(c.isupper() for c in value)
            and any(c.islower() for c in value)
            and any(c.isdigit() for c in value)
        ):
            return value


def _hex(n: int) -> str:
    return _s("0123456789abcdef", n)


def _types(scanner: Scanner, text: str, value: str) -> list[str]:
    """Types of the findings that cover `value` whole (never the value itself)."""
    start = text.index(value)
    end = start + len(value)
    return [f.entity_type for f in scanner.scan_text(text) if f.start <= start and end <= f.end]


_CASES = [
    ("NOTION_TOKEN", lambda: "secret_" + _s(_ALNUM, 43), "notion: {v} pls keep it safe"),
    ("NOTION_TOKEN", lambda: "ntn_" + _s(_ALNUM, 46), 'Token:    "{v}",'),
    ("SHOPIFY_TOKEN", lambda: "shpat_" + _hex(32), "apiKey: process.env.X || '{v}',"),
    ("SHOPIFY_TOKEN", lambda: "shpss_" + _hex(32), "{v}"),
    ("LINEAR_API_KEY", lambda: "lin_api_" + _s(_ALNUM, 40), "is this key valid: {v}"),
    ("SONARQUBE_TOKEN", lambda: "squ_" + _hex(40), 'SONAR_TOKEN: "{v}"'),
    ("VAULT_TOKEN", lambda: "hvs." + _s(_ALNUM + "_-", 24), 'value: "{v}"'),
    ("VAULT_TOKEN", lambda: "hvb." + _s(_ALNUM, 90), "export VAULT_TOKEN={v}"),
    (
        "TELEGRAM_BOT_TOKEN",
        lambda: f"{_RNG.randrange(10**8, 10**10)}:AA{_s(_ALNUM + '_-', 33)}",
        "bot = Bot('{v}')",
    ),
    ("MISTRAL_API_KEY", lambda: _s(_ALNUM, 32), "- the MISTRAL_API_KEY was rotated, new value {v}"),
    ("MISTRAL_API_KEY", lambda: _s(_ALNUM, 32), "MISTRAL_API_KEY={v}"),
    ("AZURE_KEY", lambda: _hex(32), "here's the azure_openai_api_key for the bot {v} thx"),
]


@pytest.mark.parametrize(("entity", "make", "template"), _CASES)
def test_vendor_tokens_are_found_as_their_type(
    secrets_scanner: Scanner, entity: str, make, template: str
):
    value = make()
    assert entity in _types(secrets_scanner, template.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        # prefixed identifiers, not tokens
        "secret_key_base_for_the_test_environment_only_x",
        "SECRET_" + "A" * 43,
        "shpat_" + "0" * 32,
        "lin_api_keys_are_created_in_the_settings_page_of_linear",
        "squ_" + "x" * 40,
        "hvs.your-vault-token-goes-here-ok",
        # digits and a colon: a timestamp, a port, a ratio
        "job 1712345678:finished_successfully_after_retrying_ok",
        "1234567890:" + "a" * 35,
        # 32 characters with no vendor name before them, or the name on another line
        "request id " + _hex(32),
        "# mistral settings\nsession " + _s(_ALNUM, 32),
        # the Slack placeholders of documentation
        "- Slack: xoxb-000000000000-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
        'slack_webhook = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"',
        # identifiers under key- and token-named keys
        '"KeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
        '  "token_uri": "https://oauth2.googleapis.com/token"',
        "token_url: https://login.example.com/oauth2/v2.0/token",
        # SASL with a user name that is no API key
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="alice" password="${KAFKA_PASSWORD}";',
    ],
)
def test_look_alikes_are_not_reported(secrets_scanner: Scanner, text: str):
    assert [f.entity_type for f in secrets_scanner.scan_text(text)] == []


def test_the_confluent_api_key_in_sasl_is_reported_with_its_secret(secrets_scanner: Scanner):
    key, secret = _s(string.ascii_uppercase + string.digits, 16), _s(_ALNUM + "+/", 64)
    text = (
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{key}" password="{secret}";'
    )
    assert _types(secrets_scanner, text, key) == ["GENERIC_SECRET"]
    assert _types(secrets_scanner, text, secret) == ["GENERIC_SECRET"]


@pytest.mark.parametrize("cuts", [(10, 24), (26, 30), (8, 20)])
def test_a_twilio_key_split_in_three_short_pieces_is_found_whole(
    secrets_scanner: Scanner, cuts: tuple[int, int]
):
    key = "SK" + _hex(32)
    a, b, c = key[: cuts[0]], key[cuts[0] : cuts[1]], key[cuts[1] :]
    text = f"// so the scanner doesn't flag it\nconst KEY = '{a}' + '{b}' +\n  '{c}';\n"
    found = [f for f in secrets_scanner.scan_text(text) if f.entity_type == "TWILIO_KEY"]
    assert len(found) == 1
    assert found[0].start == text.index(a) and found[0].end == text.index(c) + len(c)


def test_a_twilio_sid_piece_alone_is_not_a_key(secrets_scanner: Scanner):
    text = "const PREFIX = 'SK12ab' + suffix;  // 'SK' + ids are API key SIDs"
    assert [f.entity_type for f in secrets_scanner.scan_text(text)] == []


def test_a_session_token_is_covered_whole(secrets_scanner: Scanner):
    token = "IQoJb3JpZ2luX2Vj" + _s(_ALNUM + "+/", 600) + "="
    for text in (f'"SessionToken": "{token}",', f"aws_session_token = {token}\n"):
        assert "GENERIC_SECRET" in _types(secrets_scanner, text, token)
