"""Passwords in the forms the held-out set found missed (docs/dlp.md, "Secrets, held-out set"),
each with a hard negative of the same form. Values are drawn fresh and fake; a failure shows
the text with the finding replaced, never a finding's value alone."""

from __future__ import annotations

import random
import string

import pytest

from warden.dlp.scanner import Scanner

_RNG = random.Random(20261208)


def _password(length: int = 12, symbols: str = "!#%*-_.+~") -> str:
    """Every kind of character, a symbol at the end (the character a sentence rule cuts)."""
    body = [
        *_RNG.choices(string.ascii_lowercase, k=length - 5),
        *_RNG.choices(string.ascii_uppercase, k=2),
        *_RNG.choices(string.digits, k=2),
    ]
    _RNG.shuffle(body)
    return _RNG.choice(string.ascii_letters) + "".join(body[1:]) + _RNG.choice(symbols)


def _redacted(scanner: Scanner, text: str) -> str:
    for f in sorted(scanner.scan_text(text), key=lambda f: f.start, reverse=True):
        text = text[: f.start] + "[REDACTED]" + text[f.end :]
    return text


@pytest.mark.parametrize(
    "template",
    [
        # aligned HCL and tfvars
        'resource "aws_db_instance" "main" {{\n  username          = "app"\n'
        '  password          = "{v}"\n}}',
        'environment     = "staging"\ndb_password     = "{v}"\n',
        # PHP define()
        "define( 'DB_PASSWORD', '{v}' );",
        # .env: PASS alone, a short value ending in a symbol
        "SMTP_PASS={v}\nMAIL_FROM=noreply@acme.example",
        "REDIS_PASSWORD={short}\n",
        # YAML and Ansible, unquoted, ending in a symbol
        "smtp:\n  password: {short}\n",
        "ansible_user: ubuntu\nansible_become_pass: {v}\n",
        "ansible_password: {v}\n",
        # command lines
        'sqlcmd -S tcp:db.example,1433 -d prod -U sa -P "{v}" -Q "SELECT 1"',
        "mysql -h db -u app -pmaple12{v} prod < dump.sql",
        # .pgpass
        "~/.pgpass:\ndb.internal:5432:prod:app:{v}\n",
        "*:*:*:replicator:{v}",
        # login calls
        '    server.login("reports@acme.example", "{v}")',
        "ftp.login('deploy', '{v}')",
        # Kubernetes env entries
        '- name: DB_PASSWORD\n  value: "{v}"\n',
        # prose
        "the new SFTP password for the vendor drop is {v} (user: acme_upload).",
        "- admin console login: ops-admin / {v}\n- monitoring is noisy",
        "pw: {v}",
    ],
)
def test_a_password_in_these_forms_is_redacted_whole(secrets_scanner: Scanner, template: str):
    v, short = _password(), _password(8)
    text = template.format(v=v, short=short)
    redacted = _redacted(secrets_scanner, text)
    assert v not in redacted and short not in redacted
    if "mysql" not in template:
        assert redacted == template.format(v="[REDACTED]", short="[REDACTED]")


@pytest.mark.parametrize(
    "passphrase",
    ["Maple rocket harbor violet 42.", "Copper otter summit 17!"],
)
@pytest.mark.parametrize(
    "template",
    ['ADMIN_PASSWORD="{v}"', 'server.login("me@acme.example", "{v}")'],
)
def test_a_quoted_passphrase_with_spaces_and_a_number_is_a_password(
    secrets_scanner: Scanner, template: str, passphrase: str
):
    text = template.format(v=passphrase)
    assert _redacted(secrets_scanner, text) == template.format(v="[REDACTED]")


@pytest.mark.parametrize(
    "text",
    [
        # placeholders and references in the same forms
        'password          = var.db_password\nusername          = "app"',
        "define( 'DB_PASSWORD', 'password_here' );",
        "define( 'AUTH_KEY', 'put your unique phrase here' );",
        'os.getenv("DB_PASSWORD", "changeme")',
        "SMTP_PASS=${SMTP_PASS}",
        'sqlcmd -S db -U sa -P "$SA_PASSWORD" -Q "SELECT 1"',
        "grep -P '\\d{3}-\\d{4}-Ab' contacts.txt",
        "mysql -u root -p\nmysqldump -u root -p --all-databases",
        "scp -P 2222 backup.tar.gz deploy@host:/srv/",
        # look like a .pgpass line, are not one
        "2024-05-03 12:14:07:info:worker:Started9!",
        "root:x:0:0:root:/root:/bin/bash",
        # login calls with a variable, prose about passwords
        "server.login(user, password)",
        'server.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])',
        "the password for the staging database is stored in Vault.",
        "login: admin / admin",
        "Your password must be at least 12 characters: Minimum 12 chars including symbols",
        "I will pass the test: Wednesday is fine",
        "bypass_cache = Qx7.lastRefresh",
        # a password policy, a message about a password
        'password_hint: "Minimum 12 chars including symbols and numbers 2024"',
        "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n",
    ],
)
def test_the_same_forms_without_a_password_are_not_reported(secrets_scanner: Scanner, text: str):
    assert _redacted(secrets_scanner, text) == text


@pytest.mark.parametrize(
    "template",
    [
        "<server>\n  <password>{v}</password>\n</server>",
        "the password for the share is {v} (user: ops).",
        "- admin console login: ops-admin / {v}\n",
    ],
)
def test_dotted_words_and_a_final_period_are_part_of_the_password(
    secrets_scanner: Scanner, template: str
):
    v = "Maple.Rocket.Harbor" + str(_RNG.randrange(10, 9999)) + "."
    text = template.format(v=v)
    assert _redacted(secrets_scanner, text) == template.format(v="[REDACTED]")


@pytest.mark.parametrize(
    "text",
    [
        "the password is Tomorrow.",
        "I reset the password: see https://wiki.example/reset.",
        "the new password is in settings.py.",
    ],
)
def test_prose_words_after_a_password_word_are_not_passwords(secrets_scanner: Scanner, text: str):
    assert _redacted(secrets_scanner, text) == text


@pytest.mark.parametrize(
    "text",
    [
        "const password = process.env.DB_PASSWORD ?? '';",
        "pw = settings.SMTP_PASSWORD2",
        "login: self.credentials.login_name",
    ],
)
def test_references_after_a_password_word_are_not_passwords(secrets_scanner: Scanner, text: str):
    assert _redacted(secrets_scanner, text) == text
