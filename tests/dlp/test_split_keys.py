"""A key split into pieces of one string literal, or passed as the argument after its
account id, leaves masked whole: no piece of it reaches the provider."""

from __future__ import annotations

import itertools
import json
import secrets

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.normalize import join_broken_lines
from warden.dlp.redactor import redact
from warden.dlp.scanner import Scanner
from warden.dlp.types import RedactionSpec, RedactionStyle
from warden.schemas import parse_request

KEYS = FakeKeys(91)
MASK_SECRETS = RedactionSpec(frozenset({"SECRETS"}), RedactionStyle.MASK)


def _sent(scanner: Scanner, text: str) -> tuple[list[str], str]:
    """Finding types, and the prompt as the provider receives it."""
    doc = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}
    body = json.dumps(doc).encode()
    request = parse_request("openai", "openai", "POST", "/v1/chat/completions", None, body)
    findings = scanner.scan(request).findings
    sent = json.loads(redact(body, request, findings, [MASK_SECRETS]).body)
    return sorted({f.entity_type for f in findings}), sent["messages"][0]["content"]


def _pieces(key: str, *cuts: int) -> list[str]:
    bounds = [0, *cuts, len(key)]
    return [key[a:b] for a, b in itertools.pairwise(bounds)]


def _forms() -> list[tuple[str, str, list[str]]]:
    anthropic, sendgrid, pypi = KEYS.anthropic(), KEYS.sendgrid(), KEYS.pypi()
    a = _pieces(anthropic, 30, 70)
    head, _, tail = sendgrid.partition(".")
    forms = [
        ("python implicit", 'key = ("{}"\n       "{}"\n       "{}")'.format(*a), a),
        ("javascript plus", 'const key = "{}" +\n  "{}" + "{}";'.format(*a), a),
        ("php dot", "$key = '{}' . '{}' . '{}';".format(*a), a),
        ("sql concat", "SELECT '{}' || '{}' || '{}';".format(*a), a),
        ("shell continuation", 'export KEY="{}"\\\n"{}""{}"'.format(*a), a),
        ("sendgrid at its dot", f'SENDGRID = "{head}." \\\n  "{tail}"', [f"{head}.", tail]),
    ]
    p = _pieces(pypi, 60, 120)
    forms.append(("pypi over lines", "password = {}\\\n  {}\\\n  {}".format(*p), p))
    # What an attack review got through: comments between the pieces, mixed quotes, appends
    # on the next line, and a list of pieces joined by the language.
    g = _pieces(KEYS.github(), 20)
    forms += [
        (
            "comments",
            f'api_key=("{a[0] + a[1]}"  # part 1\n         "{a[2]}"),  # part 2',
            a,
        ),
        ("c comment", '"{}" /* split */ + "{}"'.format(*g), g),
        ("mixed quotes", "\"{}\" + '{}'".format(*g), g),
        ("plus equals", 'k = "{}"\nk += "{}"'.format(*g), g),
        ("php dot equals", "$k = '{}';\n$k .= '{}';".format(*g), g),
        ("python join", 'TOKEN = "".join(["{}", "{}"])'.format(*g), g),
        ("javascript join", 'const t = ["{}", "{}"].join("");'.format(*g), g),
    ]
    return forms


@pytest.mark.parametrize(
    ("form", "text", "pieces"),
    _forms(),
    ids=lambda v: v if isinstance(v, str) and len(v) < 25 else "",
)
def test_a_key_split_into_string_pieces_leaves_as_none_of_its_pieces(
    scanner: Scanner, form: str, text: str, pieces: list[str]
):
    types, sent = _sent(scanner, text)
    assert types, form
    for piece in pieces:
        if len(piece) >= 8:  # a shorter piece ("SG.") may recur in the text around it
            assert piece not in sent, (form, types)


def test_quoted_words_and_listed_values_are_not_glued_together():
    # A comma separates two values; words in quotes in prose are not one literal either.
    for text in ('keys = ["abc123", "def456"]', 'say "hello" and "world"', "'a' , 'b'"):
        assert join_broken_lines(text)[0] == text
    assert join_broken_lines('"abc" + "def"')[0] == '"abcdef"'


def test_prose_with_quoted_words_has_no_findings(secrets_scanner: Scanner):
    text = 'The flags "--verbose" "--dry-run" and "sk-" "ant" are described in README.md.'
    assert secrets_scanner.scan_text(text) == []


def _hex32() -> str:
    return secrets.token_hex(16)


@pytest.mark.parametrize(
    "form",
    [
        "client = Client(\n    'AC{sid}',\n    '{token}',\n)",  # as black formats it
        "sid AC{sid} token {token}",
        'client = TwilioRestClient("AC{sid}", "{token}")',
        "curl -X POST https://api.twilio.com/2010-04-01/Accounts -u AC{sid}:{token}",
    ],
)
def test_a_twilio_auth_token_passed_after_its_account_sid_is_masked(scanner: Scanner, form: str):
    sid, token = _hex32(), _hex32()
    types, sent = _sent(scanner, form.format(sid=sid, token=token))
    assert "TWILIO_KEY" in types
    assert token not in sent
    assert f"AC{sid}" in sent  # the account id alone grants nothing and stays readable


def test_an_account_sid_alone_or_before_a_longer_hash_is_not_a_token(secrets_scanner: Scanner):
    sid = _hex32()
    for text in (f"account AC{sid}", f"AC{sid}, {secrets.token_hex(20)}"):
        assert secrets_scanner.scan_text(text) == [], text
