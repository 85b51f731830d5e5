"""A secret that also reads as personal data (a token before "@host" looks like an e-mail
address) leaves masked as the secret it is, and never comes back in the answer."""

from __future__ import annotations

import json

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.recognizers.github import base62_crc32
from warden.dlp.redactor import Redaction, redact
from warden.dlp.scanner import Scanner
from warden.dlp.types import RedactionSpec, RedactionStyle
from warden.schemas import parse_request

KEYS = FakeKeys(83)
_BODY = "Qm7tK2vX9pLr4Wn8Yc3Hd6Fs1Jb5Zg"
GITHUB = f"ghp_{_BODY}{base62_crc32(_BODY)}"
GITLAB = KEYS.gitlab()
PASSWORD = "Tr4il-Mogul-58"
EMAIL = "noor.haddad@example.org"
MASK_SECRETS = RedactionSpec(frozenset({"SECRETS"}), RedactionStyle.MASK)
PLACEHOLD_PII = RedactionSpec(frozenset({"PII"}), RedactionStyle.PLACEHOLDER, reversible=True)
PLACEHOLD_ALL = RedactionSpec(frozenset({"ALL"}), RedactionStyle.PLACEHOLDER, reversible=True)

CASES = [
    (
        f"git clone https://{GITHUB}@github.com/org/repo",
        "GITHUB_TOKEN",
        "git clone https://[REDACTED:GITHUB_TOKEN]@github.com/org/repo",
    ),
    (
        f"https://oauth2:{GITLAB}@gitlab.com/group/proj.git",
        "GITLAB_TOKEN",
        "https://oauth2:[REDACTED:GITLAB_TOKEN]@gitlab.com/group/proj.git",
    ),
    (
        f"postgresql+psycopg2://app:{PASSWORD}@db.acme-corp.io/prod",
        "URL_CREDENTIALS",
        "postgresql+psycopg2://app:[REDACTED:URL_CREDENTIALS]@db.acme-corp.io/prod",
    ),
]


def _redact(scanner: Scanner, text: str, *specs: RedactionSpec) -> tuple[list[str], str, Redaction]:
    """Finding types, the prompt as it would leave, and the redaction."""
    doc = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}
    body = json.dumps(doc).encode()
    request = parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    findings = scanner.scan(request).findings
    result = redact(body, request, findings, specs)
    sent = json.loads(result.body)["messages"][0]["content"]
    return [f.entity_type for f in findings], sent, result


@pytest.mark.parametrize(("text", "entity", "sent"), CASES)
def test_a_secret_in_a_url_is_the_secret_not_an_email_address(
    scanner: Scanner, text: str, entity: str, sent: str
):
    types, out, result = _redact(scanner, text, MASK_SECRETS, PLACEHOLD_PII)
    assert types == [entity]
    assert out == sent
    assert result.restore is None


@pytest.mark.parametrize(("text", "entity", "sent"), CASES)
def test_a_secret_is_masked_and_not_restored_even_under_a_reversible_placeholder_rule(
    scanner: Scanner, text: str, entity: str, sent: str
):
    _, out, result = _redact(scanner, f"{text} -- ask {EMAIL}", PLACEHOLD_ALL)
    assert out == f"{sent} -- ask <EMAIL_1>"
    assert result.restore is not None
    assert list(result.restore) == ["<EMAIL_1>"]
    answer = f"Run: {sent}, then mail <EMAIL_1>."
    assert result.restore.restore_text(answer) == f"Run: {sent}, then mail {EMAIL}."


def test_a_plain_email_address_is_still_personal_data_and_comes_back(scanner: Scanner):
    types, out, result = _redact(scanner, f"write to {EMAIL} today", MASK_SECRETS, PLACEHOLD_PII)
    assert types == ["EMAIL_ADDRESS"]
    assert out == "write to <EMAIL_1> today"
    assert result.restore is not None
    assert result.restore.restore_text("Sent to <EMAIL_1>.") == f"Sent to {EMAIL}."


def test_a_secret_placeholder_under_a_non_reversible_rule_is_not_restored(scanner: Scanner):
    spec = RedactionSpec(frozenset({"ALL"}), RedactionStyle.PLACEHOLDER)
    _, out, result = _redact(scanner, CASES[0][0], spec)
    assert out == "git clone https://<GITHUB_TOKEN_1>@github.com/org/repo"
    assert result.restore is None


# What an attack review got past the placeholder and public-identifier rules: passwords
# dressed as templates or followed by filler, and public-id names reused around a secret.
DRESSED = [
    ("Qwerty12.Asdf" + "X" * 32, "Server=db.corp.example.com;Database=app;User Id=sa;Password={};"),
    ("Dragon99-Monkey12-Tiger7-Kqzp" + "x" * 32, "db_password = {}"),
    ("Secret12_Hunter9_Tiger7_" + "*" * 32, "postgres://app:{}@db.corp.example.com/app"),
    ("my.Dragon99.Monkey12", "jdbc:mysql://db/app?user=sa&password={}"),
    ("my.Dragon99.Monkey12", "postgres://app:{}@db.corp.example.com/app"),
    ("MY_KQZPWMXVJRTBHGFD42_QWZXNM17", "Server=db;Database=app;User Id=sa;Password={};"),
    ("Kx9mQ2vB7pL4nR8z", '{{"secrets_key_id": "{}"}}'),
    ("Kx9mQ2vB7pL4nR8z", "password.key_id={}"),
    ("Kx9mQ2vB7pL4nR8z", 'DB_PASSWORD="key_id: {}"'),
    ("Kx9mQ2vB7pL4nR8z", "password: key_id: {}"),
    ("Kx9mQ2vB7pL4nR8z", '{{"api_key": "keyId = {}"}}'),
]


@pytest.mark.parametrize(("secret", "form"), DRESSED)
def test_a_password_dressed_as_a_placeholder_or_public_id_is_still_a_secret(
    scanner: Scanner, secret: str, form: str
):
    types, out, result = _redact(scanner, form.format(secret), MASK_SECRETS, PLACEHOLD_PII)
    assert secret not in out and secret[:12] not in out, (types, out)
    restored = result.restore.restore_text(out) if result.restore else out
    assert secret not in restored  # never given back in the answer either


def test_a_service_accounts_key_id_at_the_start_of_its_line_is_not_a_secret(scanner: Scanner):
    key_id = "3f9a0c7e5b2d4a1f8e6c9b0a7d5e3c1f2a4b6d8e"
    for text in (f'{{"type": "service_account", "private_key_id": "{key_id}"}}',
                 f"private_key_id: {key_id}", f"KEY_ID={key_id}"):  # fmt: skip
        types, out, _ = _redact(scanner, text, MASK_SECRETS, PLACEHOLD_PII)
        assert key_id in out and "GENERIC_SECRET" not in types, (text, types)
