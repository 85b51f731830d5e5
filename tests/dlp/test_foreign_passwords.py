"""Passwords named in other languages (passwords.py ForeignPasswordRecognizer). Values are
generated per run; none is a real credential."""

from __future__ import annotations

import random
import string

import pytest

from tests.dlp.passwords import generic_secrets
from warden.dlp.scanner import Scanner

_RNG = random.SystemRandom()


def _password() -> str:
    core = "".join(_RNG.choice(string.ascii_letters) for _ in range(6))
    return core[:3].upper() + core[3:] + str(_RNG.randrange(10, 99)) + _RNG.choice("!#%-")


_secrets = generic_secrets


@pytest.mark.parametrize(
    "template",
    [
        "Hallo, das Passwort für den SFTP-Server lautet {pw} und gilt bis Freitag.",
        "Kennwort: {pw}",
        "Bonjour, le mot de passe de la base est {pw} et la clé API suit.",
        "Hola, la contraseña del servidor es {pw} y no funciona.",
        "clave = {pw}",
        "Oi, a senha do banco é {pw} desde ontem.",
        "Het wachtwoord is {pw} voor de testomgeving.",
        "サーバーのパスワードは {pw} です。",
        "数据库密码是{pw}\uff0c请修改",
    ],
)
def test_password_words_in_other_languages(secrets_scanner: Scanner, template: str) -> None:
    pw = _password()
    assert pw in _secrets(secrets_scanner, template.format(pw=pw))


@pytest.mark.parametrize(
    "text",
    [
        "Das Passwort ist im Tresor gespeichert.",
        "Das Kennwort muss mindestens 8 Zeichen lang sein.",
        "Le mot de passe : ********",
        "La contraseña es <redacted> por ahora.",
        "A senha é ${DB_PASSWORD}.",
        "パスワードは 変更しました です。",
    ],
)
def test_other_languages_without_a_password(secrets_scanner: Scanner, text: str) -> None:
    assert _secrets(secrets_scanner, text) == set()
