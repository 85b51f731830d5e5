"""Passwords of 4 to 7 characters under an unmistakable label (passwords.py
ShortPasswordRecognizer). Values are generated per run; none is a real credential."""

from __future__ import annotations

import random
import string

import pytest

from tests.dlp.passwords import generic_secrets
from warden.dlp.scanner import Scanner

_RNG = random.SystemRandom()


def _short() -> str:
    n = _RNG.randint(4, 7)
    while True:
        value = "".join(
            _RNG.choice(string.ascii_letters + string.digits + "!#$%&*") for _ in range(n)
        )
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


_secrets = generic_secrets


@pytest.mark.parametrize(
    "template",
    [
        "password: {pw}\nis that too short for PCI?",
        "router admin / pw: {pw}\n",
        "DB_PASS={pw}\nDB_USER=app",
        "the vault password is {pw} (temporary)",
        "the vault password is {pw}.",
    ],
)
def test_short_password_under_a_label(secrets_scanner: Scanner, template: str) -> None:
    pw = _short()
    # a 7-character value and the sentence's period make 8, which the prose rule reports
    # with the period: either way the password is covered
    assert any(pw in found for found in _secrets(secrets_scanner, template.format(pw=pw)))


@pytest.mark.parametrize(
    "text",
    [
        "password: ****",
        "pw: none",
        "DB_PASS=xxxx",
        "the password is weak",
        "password: secret",
        "bypass: ab12",
        "password: 12345",
        # code: a tuple assignment names variables, found in this repository's own source
        "self._bind_dn, self._bind_password = bind_dn, bind_password",
        "api, pw = g.token(32), g.password()",
        "password is ${PW}",
        "the password is abc1 right? no idea",
        "compass: N12E\n",
    ],
)
def test_short_values_that_are_no_password(secrets_scanner: Scanner, text: str) -> None:
    assert _secrets(secrets_scanner, text) == set()
