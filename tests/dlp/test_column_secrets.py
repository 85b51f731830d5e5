"""Secrets named by a column header (Markdown, CSV/TSV, DataFrame output, SQL INSERT):
tables.py. Values are generated per run; none is a real credential."""

from __future__ import annotations

import random
import string

from tests.dlp.passwords import generic_secrets
from warden.dlp.scanner import Scanner

_RNG = random.SystemRandom()


def _password() -> str:
    core = "".join(_RNG.choice(string.ascii_letters) for _ in range(6))
    return core[:3].upper() + core[3:] + str(_RNG.randrange(10, 99)) + _RNG.choice("!#%-.")


def _key(n: int = 32) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        key = "".join(_RNG.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in key) and any(c.isupper() for c in key):
            return key


_secrets = generic_secrets


def test_markdown_password_column(secrets_scanner: Scanner) -> None:
    a, b = _password(), _password()
    text = (
        "| account | system | password | notes |\n|---|---|---|---|\n"
        f"| svc-etl | db1.acme.io | `{a}` | rotated 3.04 |\n| jenkins | ci.acme.io | {b} | - |\n"
    )
    assert {a, b} <= _secrets(secrets_scanner, text)


def test_markdown_redacted_and_header_only(secrets_scanner: Scanner) -> None:
    text = (
        "| user | password | token |\n|---|---|---|\n| bob | <redacted> | *** |\n"
        "| al | None | NaN |\n\n| service | api_key |\n|---|---|\n"
    )
    assert _secrets(secrets_scanner, text) == set()


def test_csv_and_tsv_key_column(secrets_scanner: Scanner) -> None:
    k1, k2 = _key(), _key(40)
    csv = f"service,owner,api_key,created\nbilling,ann,{k1},2024-01-10\nmaps,bo,***,2024-01-11\n"
    pw = _password()
    tsv = f"username\tpassword\nops\t{pw}\nqa\tNone\n"
    assert _secrets(secrets_scanner, csv) == {k1}
    assert _secrets(secrets_scanner, tsv) == {pw}
    assert k2 not in _secrets(secrets_scanner, f"service,owner,commit\nbilling,ann,{k2}\n")


def test_csv_hash_column_not_reported(secrets_scanner: Scanner) -> None:
    text = f"email,password_hash\na@acme.io,{_key(60)}\n"
    assert _secrets(secrets_scanner, text) == set()


def test_dataframe_password_column(secrets_scanner: Scanner) -> None:
    pw = _password()
    text = (
        "      name                host          password\n"
        f"0  crm_0  db.acme.io  {pw}\n1  crm_1  db.acme.io  NaN\n"
    )
    assert _secrets(secrets_scanner, text) == {pw}
    plain = "      name    status    token_count\n0  crm_0  ok  Maple\n1  crm_1  ok  river\n"
    assert _secrets(secrets_scanner, plain) == set()


def test_sql_insert_columns(secrets_scanner: Scanner) -> None:
    a, b, k = _password(), _password(), _key(40)
    users = (
        "INSERT INTO users (email, password, role) VALUES \n"
        f"  ('a0@acme.io', '{a}', 'admin'),\n  ('b1@acme.io', '{b}', 'admin');"
    )
    creds = (
        "INSERT INTO api_credentials (id, service, api_key, created_at) VALUES\n"
        f"  (1, 'billing', NULL, now()),\n  (3, 'internal', '{k}', now());"
    )
    assert {a, b} <= _secrets(secrets_scanner, users)
    assert k in _secrets(secrets_scanner, creds)
    # the role and the email are not under a secret column; a hash is not a password
    hashed = "INSERT INTO users (email, password) VALUES ('a@acme.io', '$2b$12$" + _key(53) + "');"
    assert _secrets(secrets_scanner, hashed) == set()
    other = f"INSERT INTO events (id, name, ref) VALUES (1, 'signup', '{_key(40)}');"
    assert _secrets(secrets_scanner, other) == set()


def test_json_key_value_pairs(secrets_scanner: Scanner) -> None:
    tok, api, pw = _key(43), _key(32), _password()
    text = (
        '{"auth": {"type": "bearer", "bearer": [{"key": "token", "value": "' + tok + '", '
        '"type": "string"}]},\n "variable": [{"key": "baseUrl", "value": "https://x.example"},\n'
        ' {"key": "apiKey", "value": "' + api + '"},\n {"key": "password", "value": "' + pw + '"}]}'
    )
    assert {tok, api, pw} <= _secrets(secrets_scanner, text)
    negatives = (
        '[{"key": "password", "value": "{{password}}"}, {"key": "requestId", "value": "'
        + _key(32)
        + '"}, {"name": "token", "value": "<redacted>"}]'
    )
    assert _secrets(secrets_scanner, negatives) == set()


def test_session_cookies(secrets_scanner: Scanner) -> None:
    sess, auth, table = _key(40), _key(32), _key(40)
    text = (
        f"Cookie: _ga=GA1.2.{_RNG.randrange(10**9)}.{_RNG.randrange(10**9)}; theme=dark; "
        f"session_id={sess}\nSet-Cookie: auth_token={auth}; Path=/; HttpOnly\n"
    )
    assert _secrets(secrets_scanner, text) == {sess, auth}
    devtools = (
        "Name\tValue\tDomain\tPath\tExpires / Max-Age\n"
        "_ga\tGA1.1.123456.78910\t.shop.example\t/\t2026-01-01\n"
        f"laravel_session\t{table}\tshop.example\t/\tSession\n"
    )
    assert _secrets(secrets_scanner, devtools) == {table}
    analytics = f"Cookie: _ga=GA1.2.1.2; _gid={_key(24)}; locale=en-US\n"
    assert _secrets(secrets_scanner, analytics) == set()
