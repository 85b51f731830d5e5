"""Credentials on a command line: the flag stays, the value is redacted."""

from __future__ import annotations

import time

import pytest

from tests.dlp.passwords import password_maker, redacted
from warden.dlp.recognizers.command_line import CommandLineSecretRecognizer
from warden.dlp.scanner import Scanner

_password = password_maker(7120626, "-.!%+")
_redacted = redacted


@pytest.mark.parametrize(
    "template",
    [
        "mysql -h db -u app -p{v}",
        "docker login registry.acme.io -u bot -p '{v}'",
        'sshpass -p "{v}" ssh deploy@host',
        "curl -u admin:{v} https://api.acme.io/v1/me",
        'curl -u "admin:{v}" https://api.acme.io/v1/me',
        "mongosh --host db --password {v} --username app",
        "tool --password={v} --verbose",
        "curl --token {v} https://api.acme.io",
        "vault login --client-secret '{v}'",
        "acme deploy --api-key={v}",
        "redis-cli -h cache -p 6379 -a {v} ping",
        "redis-cli -a '{v}' --no-auth-warning",
        "sqlplus -s app/{v}@//db:1521/ORCL",
        "expdp system/{v}@orcl schemas=app",
    ],
)
def test_a_secret_flag_value_is_redacted_and_the_flag_stays(
    secrets_scanner: Scanner, template: str
):
    text = template.format(v=_password())
    redacted, types = _redacted(secrets_scanner, text)
    assert redacted == template.format(v="[REDACTED]")
    assert types == ["GENERIC_SECRET"]


def test_a_quoted_flag_value_keeps_its_spaces(secrets_scanner: Scanner):
    value = f"{_password()} {_password()}"
    redacted, types = _redacted(secrets_scanner, f"tool --password '{value}' --dry-run")
    assert redacted == "tool --password '[REDACTED]' --dry-run"
    assert types == ["GENERIC_SECRET"]


@pytest.mark.parametrize(
    "text",
    [
        "docker run -p 8080:80 nginx",
        "docker run -p 127.0.0.1:8080:80 nginx",
        "ssh -p 2222 deploy@host",
        "mysql -p /etc/mysql/Secret2-file",
        "mkdir -p src/App2-Core",
        "pytest -p no:cacheprovider",
        "git log -p --stat",
        "mysql -p -u root",
        "docker run -u 1000:1000 app",
        'curl -u "$USER:$API_TOKEN" https://api.acme.io',
        "curl -u admin https://api.acme.io",
        "tool --password-file /run/secrets/Db2-pass",
        "tool --token-type bearer",
        "tool --password $DB_PASSWORD",
        'tool --password "${DB_PASSWORD}"',
        "tool --password '<password>'",
        "tool --password YOUR_PASSWORD",
        "tool --no-password --Verbose2",
        "ls -a Docs2-old.txt",
        "git commit -a -m 'Fix 2 bugs'",
        "sqlplus / as sysdba",
        "sqlplus app/${DB_PASSWORD}@db",
    ],
)
def test_ports_paths_flags_and_references_are_not_findings(secrets_scanner: Scanner, text: str):
    assert secrets_scanner.scan_text(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("sqlcmd -password={v}", "{v}"),
        ("tool -pwd={v}", "{v}"),
        ("openssl pkcs12 -passphrase: {v}", "{v}"),
    ],
)
def test_a_single_dash_password_flag_is_still_read_by_the_assignment_rule(
    secrets_scanner: Scanner, text: str, value: str
):
    """-p is a literal of its own: it must not hide "password" or "pwd" right after a dash."""
    secret = _password()
    redacted, types = _redacted(secrets_scanner, text.format(v=secret))
    assert redacted == text.format(v="[REDACTED]")
    assert types == ["GENERIC_SECRET"]


def test_every_literal_after_a_dash_is_a_command_line_prefix_too():
    from warden.dlp.recognizers import PATTERN_RECOGNIZERS

    ours = set(CommandLineSecretRecognizer.PREFIXES)
    others = {p for r in PATTERN_RECOGNIZERS for p in r.PREFIXES if p[0] in "pu"}
    assert {f"-{p}" for p in others} <= ours


@pytest.mark.parametrize(
    "text",
    [
        "--password " + "'" + "a" * 5000,
        "-p" * 5000,
        "-u " + "a" * 3000 + ":" * 3000,
        "--" + "a-" * 3000 + "token",
        "--" * 5000,
        "redis-cli " + "a" * 5000,
        "redis-cli" * 1000 + " -a",
        "sqlplus -s -s -s " + "a" * 3000 + "/",
    ],
)
def test_command_line_secrets_stay_fast_on_crafted_long_inputs(secrets_scanner: Scanner, text: str):
    """Tried at every -p, -u and -- in the proxy: no input may make the patterns backtrack."""
    recognizer = CommandLineSecretRecognizer()
    started = time.perf_counter()
    recognizer.analyze_span(text, 0, len(text))
    secrets_scanner.scan_text(text)
    assert time.perf_counter() - started < 0.2
