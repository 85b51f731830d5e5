"""Key-shaped values that are no secret: Stripe publishable keys, WireGuard public keys,
masked keys and three-part dotted values that are no JWT (entropy.py). The secret beside
each of them is still found. Values are generated per run; none is a real credential."""

from __future__ import annotations

import base64
import json
import os
import random
import string

import pytest

from warden.dlp.scanner import Scanner

_RNG = random.SystemRandom()


def _token(n: int) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        value = "".join(_RNG.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value):
            return value


def _b64url(n: int) -> str:
    return base64.urlsafe_b64encode(os.urandom(n)).decode().rstrip("=")


def _json_part(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _secrets(scanner: Scanner, text: str) -> set[str]:
    return {
        text[f.start : f.end]
        for f in scanner.scan_text(text)
        if f.entity_type not in {"PERSON", "LOCATION", "ORGANIZATION", "NRP"} and f.score >= 0.5
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda: "stripe publishable key: pk_live_" + _token(99),
        lambda: "STRIPE_PUBLISHABLE_KEY=pk_test_" + _token(40),
        lambda: "[Peer]\nPublicKey = " + base64.b64encode(os.urandom(32)).decode() + "\n",
        lambda: "api_key: sk-..." + _token(4).lower(),
        lambda: "Token: sk_live_\u2026" + _token(4).lower(),
        lambda: "api_key: xoxb-****-****-" + _token(4).lower(),
        lambda: f"cache key: {_b64url(16)}.{_b64url(16)}.{_b64url(16)}",
        lambda: (
            f"next page token: {_json_part({'page': 3})}.{_json_part({'sort': 'created_at'})}"
            f".{os.urandom(8).hex()}"
        ),
    ],
)
def test_public_masked_and_non_jwt_values_are_not_secrets(
    secrets_scanner: Scanner, make: object
) -> None:
    text = make()  # type: ignore[operator]
    assert _secrets(secrets_scanner, text) == set()


def test_the_secrets_beside_them_are_still_found(secrets_scanner: Scanner) -> None:
    private = "/"
    while private.startswith("/"):  # a value that starts with / reads as a path (a known limit)
        private = base64.b64encode(os.urandom(32)).decode()
    session = f"{_b64url(16)}.{_b64url(16)}.{_b64url(16)}"
    secret = _token(32)
    text = (
        f"[Interface]\nPrivateKey = {private}\n\nsession_token: {session}\nSTRIPE_SECRET={secret}\n"
    )
    assert {private, session, secret} <= _secrets(secrets_scanner, text)
