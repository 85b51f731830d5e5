"""Placeholders are no secret findings; real keys of the same vendors, however dressed, are."""

from __future__ import annotations

import secrets
import string
import time

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.placeholders import is_placeholder
from warden.dlp.recognizers.github import base62_crc32
from warden.dlp.scanner import Scanner

# Fresh values on every run; the seed is in each failure message to replay it.
SEED = secrets.randbits(32)
KEYS = FakeKeys(SEED)
_ALNUM = string.ascii_letters + string.digits

PLACEHOLDERS = [
    "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
    "stripe.api_key = 'sk_test_XXXXXXXXXXXXXXXXXXXXXXXX'",
    "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX",
    "AWS key: AKIA0000000000000000",
    "//registry.npmjs.org/:_authToken=npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "GITHUB_TOKEN=ghp_************************************",
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "export OPENAI_API_KEY=sk-proj-" + "0" * 60,
    "export OPENAI_API_KEY=sk-proj-" + "0" * 40 + "T3BlbkFJ" + "0" * 40,
    "ANTHROPIC_API_KEY=sk-ant-api03-" + "x" * 95,
    "SENDGRID_API_KEY=SG." + "x" * 22 + "." + "x" * 43,
    "TWILIO_API_KEY=SK" + "0" * 32,
    "GOOGLE_API_KEY=AIza" + "X" * 35,
    "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx",
    "STRIPE_WEBHOOK_SECRET=whsec_" + "x" * 32,
    "PYPI_TOKEN=pypi-AgEIcHlwaS5vcmc" + "x" * 140,
    "github_pat_" + "x" * 22 + "_" + "x" * 59,
    "api_key = YOUR_API_KEY",
    "api_key=YOUR_OPENAI_API_KEY_HERE",
    "token: <your-token-here>",
    "token = ${GITHUB_TOKEN}",
    "api_key: {{ secrets.OPENAI_API_KEY }}",
    "Authorization: Bearer xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "git clone https://ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@github.com/org/repo.git",
    "git clone https://xxxxxxxxxxxxxxxxxxxx@github.com/org/repo.git",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_are_not_findings(secrets_scanner: Scanner, text: str):
    assert secrets_scanner.scan_text(text) == []


def _github(prefix: str = "ghp_") -> str:
    body = "".join(secrets.choice(_ALNUM) for _ in range(30))
    return f"{prefix}{body}{base62_crc32(body)}"


REAL_KEYS = {
    "STRIPE_KEY": lambda: "sk_live_" + KEYS._s(_ALNUM, 24),
    "AWS_ACCESS_KEY_ID": KEYS.aws_access_key_id,
    "NPM_TOKEN": KEYS.npm,
    "GITHUB_TOKEN": _github,
    "OPENAI_API_KEY": KEYS.openai,
    "ANTHROPIC_API_KEY": KEYS.anthropic,
    "SENDGRID_API_KEY": KEYS.sendgrid,
    "TWILIO_KEY": KEYS.twilio,
    "GOOGLE_API_KEY": KEYS.google,
    "GITLAB_TOKEN": KEYS.gitlab,
    "PYPI_TOKEN": KEYS.pypi,
}


def _found(scanner: Scanner, text: str, value: str, entity: str) -> bool:
    return any(
        f.entity_type == entity and text[f.start : f.end] == value for f in scanner.scan_text(text)
    )


@pytest.mark.parametrize("entity", sorted(REAL_KEYS))
def test_real_keys_of_the_same_vendors_are_still_found(secrets_scanner: Scanner, entity: str):
    value = REAL_KEYS[entity]()
    text = f"KEY={value}"
    assert _found(secrets_scanner, text, value, entity), f"seed {SEED}"


@pytest.mark.parametrize("entity", sorted(REAL_KEYS))
def test_a_real_key_next_to_placeholders_is_still_found(secrets_scanner: Scanner, entity: str):
    """Placeholders elsewhere in the text do not vouch for the key beside them."""
    value = REAL_KEYS[entity]()
    text = f"EXAMPLE=sk_live_{'x' * 24}\nKEY={value}\n# xxxxxxxx YOUR_API_KEY <token>"
    assert _found(secrets_scanner, text, value, entity), f"seed {SEED}"


def _with_xs(value: str, prefix_length: int, count: int) -> str:
    """The value with `count` of its random characters after the prefix turned into x."""
    chars = list(value)
    for at in secrets.SystemRandom().sample(range(prefix_length, len(value)), count):
        chars[at] = "x"
    return "".join(chars)


def test_a_real_token_in_a_git_url_is_still_found(secrets_scanner: Scanner):
    token = _github()
    text = f"git clone https://{token}@github.com/org/repo.git"
    assert _found(secrets_scanner, text, token, "GITHUB_TOKEN"), f"seed {SEED}"


def test_a_key_with_a_few_xs_inside_is_still_found(secrets_scanner: Scanner):
    stripe = _with_xs("sk_live_" + KEYS._s(_ALNUM, 32), 8, 6)
    npm = KEYS.npm()
    npm_xs = "npm_" + _with_xs(npm[4:], 0, 5)
    aws = "AKIA" + "XXXXXXXX" + KEYS.aws_access_key_id()[4:12]
    for value, entity in (
        (stripe, "STRIPE_KEY"),
        (npm_xs, "NPM_TOKEN"),
        (aws, "AWS_ACCESS_KEY_ID"),
    ):
        assert _found(secrets_scanner, f"use {value} now", value, entity), f"{entity}, seed {SEED}"


def test_a_key_padded_with_filler_is_still_found(secrets_scanner: Scanner):
    """x's appended or prepended to a real value do not turn it into a placeholder."""
    stripe = "sk_live_" + KEYS._s(_ALNUM, 24) + "x" * 40
    openai = "sk-proj-" + "0" * 40 + "T3BlbkFJ" + KEYS._s(_ALNUM, 40)
    for value, entity in ((stripe, "STRIPE_KEY"), (openai, "OPENAI_API_KEY")):
        assert _found(secrets_scanner, f"use {value} now", value, entity), f"{entity}, seed {SEED}"


@pytest.mark.parametrize(
    "text",
    ["api_key = your_openai_api_key_here", "token = test_token_1", "secret: xxxxxxxxxxxxxxxxxxxx",
     "api_token = example-token-for-docs", "password = changeme_later", "token = xxx_replace_me"],
)  # fmt: skip
def test_worded_placeholders_are_not_generic_secrets(secrets_scanner: Scanner, text: str):
    assert secrets_scanner.scan_text(text) == []


def test_a_generic_secret_dressed_as_a_placeholder_is_still_found(secrets_scanner: Scanner):
    """ "your_", "xxx" or "test_" before a random value does not make it a placeholder."""
    random = KEYS._s(_ALNUM, 32)
    for value in (f"your_{random}", f"xxx{random}", f"a_{random}", f"test_{random}"):
        text = f"api_token = {value}"
        assert _found(secrets_scanner, text, value, "GENERIC_SECRET"), f"{value}, seed {SEED}"


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("sk_live_" + "x" * 24, True),
        ("AKIA" + "X" * 16, True),
        ("SG." + "x" * 22 + "." + "x" * 43, True),
        ("********", True),
        ("0000000000000000", True),
        ("YOUR_API_KEY", True),
        ("<your-token-here>", True),
        ("${GITHUB_TOKEN}", True),
        ("{{ secrets.API_KEY }}", True),
        ("xxxxxxx", False),  # too short to tell
        ("sk_live_" + "x" * 20 + "q8Zr", False),
        ("q8Zr2LkP0vXw7Tn4" + "x" * 16, False),  # the prefix is random: a key, padded
        ("abcdef-ghijkl-mnopqr-" + "x" * 12, False),  # a prefix longer than the filler
        ("your_q8Zr2LkP0vXw7Tn4Jd6Hs1Fb", False),
        ("<q8Zr2LkP0vXw7Tn4Jd6Hs1Fb>", False),
        ("${q8Zr2LkP0vXw7Tn4}", False),
    ],
)
def test_what_counts_as_a_placeholder(value: str, placeholder: bool):
    assert is_placeholder(value) is placeholder


@pytest.mark.parametrize(
    "value", ["-" * 300 + "aB3", "_" * 300 + "aB3", "x-" * 500 + "y", "<" + "ab " * 300 + ">"]
)
def test_the_placeholder_test_stays_fast_on_crafted_values(value: str):
    """It runs on every secret finding in the proxy: no value may make its regexes backtrack."""
    started = time.perf_counter()
    assert not is_placeholder(value)
    assert time.perf_counter() - started < 0.05
