"""Identifiers public by design (private_key_id, key_id, client_id) are not GENERIC_SECRET
when their name says so; the same values under secret names, and the keys beside them, are."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.recognizers.entropy import looks_random
from warden.dlp.scanner import Scanner

SEED = secrets.randbits(32)
KEYS = FakeKeys(SEED)


def _hex40() -> str:
    """A fresh 40-hex value as random as the generic recognizer requires (about 1 in 800
    draws has too little entropy, a recall limit of its own)."""
    while not looks_random(value := secrets.token_hex(20)):
        pass
    return value


def _service_account() -> dict[str, str]:
    return {
        "type": "service_account",
        "project_id": "billing-prod-4821",
        "private_key_id": _hex40(),
        "private_key": KEYS.private_key() + "\n",
        "client_email": "exporter@billing-prod-4821.iam.gserviceaccount.com",
        "client_id": str(secrets.randbelow(10**21)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    }


def _entities(scanner: Scanner, text: str) -> list[str]:
    return [f.entity_type for f in scanner.scan_text(text)]


@pytest.mark.parametrize(
    "render",
    [
        lambda sa: json.dumps(sa, indent=2),
        lambda sa: json.dumps(sa),
        lambda sa: json.dumps({"messages": [{"content": json.dumps(sa)}]}),  # pasted in a chat
    ],
)
def test_service_account_json_yields_the_private_key_not_its_id(secrets_scanner: Scanner, render):
    account = _service_account()
    text = render(account)
    findings = secrets_scanner.scan_text(text)
    assert [f.entity_type for f in findings] == ["PRIVATE_KEY"], f"seed {SEED}"
    key_id = account["private_key_id"]
    assert all(key_id not in text[f.start : f.end] for f in findings)


@pytest.mark.parametrize(
    "name",
    ['"private_key_id": "{}"', "key_id = {}", "keyId: {}", "KID={}", "signing_key_id: '{}'",
     "client_id={}"],
)  # fmt: skip
def test_public_identifiers_are_not_generic_secrets(secrets_scanner: Scanner, name: str):
    assert _entities(secrets_scanner, name.format(_hex40())) == []


@pytest.mark.parametrize(
    "name",
    ['"password": "{}"', "secret = {}", "api_token: {}", "secret_key_id = {}",
     "token_id: {}", '"private_key": "{}"', "client_secret={}"],
)  # fmt: skip
def test_the_same_value_under_a_secret_name_is_still_a_secret(secrets_scanner: Scanner, name: str):
    value = _hex40()
    text = name.format(value)
    [finding] = secrets_scanner.scan_text(text)
    assert finding.entity_type == "GENERIC_SECRET"
    assert text[finding.start : finding.end] == value


def test_a_vendor_key_under_a_public_name_is_still_found(secrets_scanner: Scanner):
    """The name spares only a value no recognizer knows the format of."""
    stripe, aws = KEYS.stripe(), KEYS.aws_access_key_id()
    assert _entities(secrets_scanner, f"key_id = {stripe}") == ["STRIPE_KEY"], f"seed {SEED}"
    assert _entities(secrets_scanner, f"aws_access_key_id = {aws}") == ["AWS_ACCESS_KEY_ID"]
