"""Recognizer families: formats, checksums and the fakes each one prunes."""

from __future__ import annotations

import base64
import json

import pytest

from tests.dlp.fake_keys import FAMILIES, FakeKeys
from warden.dlp.recognizers.credit_card import luhn_valid
from warden.dlp.recognizers.github import base62_crc32
from warden.dlp.recognizers.iban import iban_valid
from warden.dlp.scanner import Scanner

KEYS = FakeKeys(21)


def _types(scanner: Scanner, text: str) -> list[str]:
    return [f.entity_type for f in scanner.scan_text(text)]


@pytest.mark.parametrize("entity", sorted(FAMILIES))
def test_each_family_finds_its_fake_key_in_a_sentence(secrets_scanner: Scanner, entity: str):
    value = FAMILIES[entity](KEYS)
    text = f"Here you go: {value} - does it work?"
    found = [f for f in secrets_scanner.scan_text(text) if f.entity_type == entity]
    assert found and text[found[0].start : found[0].end] == value


def test_github_checksum_separates_real_tokens_from_typed_examples(secrets_scanner: Scanner):
    body = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5"
    valid = f"ghp_{body}{base62_crc32(body)}"
    broken = f"ghp_{body}{'000000' if base62_crc32(body) != '000000' else '111111'}"
    assert [f.score for f in secrets_scanner.scan_text(valid)] == [1.0]
    assert secrets_scanner.scan_text(broken) == []  # 0.4 < default min_score 0.5


def test_jwt_needs_a_header_naming_an_algorithm(secrets_scanner: Scanner):
    def b64(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    good = f"{b64({'alg': 'HS256'})}.{b64({'sub': '1'})}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    bad = f"{b64({'typ': 'x'})}.{b64({'sub': '1'})}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    assert _types(secrets_scanner, good) == ["JWT"]
    assert "JWT" not in _types(secrets_scanner, bad)


def test_aws_documentation_example_keys_are_pruned(secrets_scanner: Scanner):
    text = (
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    assert secrets_scanner.scan_text(text) == []


def test_aws_secret_needs_a_name_or_a_key_id_nearby(secrets_scanner: Scanner):
    secret = KEYS.aws_secret_access_key()
    assert _types(secrets_scanner, f"aws_secret_access_key={secret}") == ["AWS_SECRET_ACCESS_KEY"]
    assert "AWS_SECRET_ACCESS_KEY" not in _types(secrets_scanner, f"checksum {secret}")


def test_whole_pem_block_is_one_finding_even_with_escaped_newlines(secrets_scanner: Scanner):
    pem = KEYS.private_key()
    for text in (pem, pem.replace("\n", "\\n")):
        [finding] = secrets_scanner.scan_text(f'KEY="{text}"')
        assert finding.entity_type == "PRIVATE_KEY"
        assert finding.end - finding.start == len(text)


def test_a_truncated_pem_block_is_still_found(secrets_scanner: Scanner):
    pem = KEYS.private_key()
    truncated = pem.split("-----END")[0]
    assert _types(secrets_scanner, truncated + "\n\nwhy does this fail?") == ["PRIVATE_KEY"]


def test_public_keys_and_certificates_are_not_private_keys(secrets_scanner: Scanner):
    text = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    assert secrets_scanner.scan_text(text) == []


@pytest.mark.parametrize(
    "url",
    [
        "postgres://user:password@localhost/db",
        "redis://:${REDIS_PASSWORD}@cache:6379",
        "mysql://app:****@db/prod",
        "https://user@github.com/acme/repo.git",
    ],
)
def test_placeholder_passwords_in_urls_are_not_reported(secrets_scanner: Scanner, url: str):
    assert secrets_scanner.scan_text(f"DATABASE_URL={url}") == []


def test_url_credentials_report_only_the_password(secrets_scanner: Scanner):
    text = "amqp://svc:S3cr3t#pa@ss@mq.internal:5672/"
    [finding] = secrets_scanner.scan_text(text)
    assert text[finding.start : finding.end] == "S3cr3t#pa@ss"


def test_connection_string_password_needs_a_connection_string(secrets_scanner: Scanner):
    conn = "Server=sql1;Database=orders;User Id=app;Password=Xy7!pQ2#mn;"
    assert _types(secrets_scanner, conn) == ["URL_CREDENTIALS"]
    assert _types(secrets_scanner, "def login(password=default_password):") == []


@pytest.mark.parametrize(
    "line",
    [
        'api_key = os.environ["OPENAI_API_KEY"]',
        "token = request.headers.get('Authorization')",
        "secret = settings.SECRET_KEY",
        "idempotency_key = 3f0c6b8e-1d2a-4c5b-9e7f-0a1b2c3d4e5f",
        "password: ********",
        "Authorization: Bearer YOUR_API_KEY",
        "api_key: ThisIsMyVeryLongCamelCaseIdentifier",
    ],
)
def test_generic_secrets_skip_references_placeholders_and_uuids(
    secrets_scanner: Scanner, line: str
):
    assert secrets_scanner.scan_text(line) == []


def test_generic_secret_next_to_a_key_word(secrets_scanner: Scanner):
    text = 'client_secret: "q8Zr2LkP0vXw7Tn4Jd6Hs1Fb"'
    [finding] = secrets_scanner.scan_text(text)
    assert finding.entity_type == "GENERIC_SECRET"
    assert text[finding.start : finding.end] == "q8Zr2LkP0vXw7Tn4Jd6Hs1Fb"


def test_luhn_iban_and_ssn_checks(scanner: Scanner):
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("DE89370400440532013000") and not iban_valid("DE89370400440532013001")
    assert _types(scanner, "card 4539 1488 0343 6467") == ["CREDIT_CARD"]
    assert "CREDIT_CARD" not in _types(scanner, "order 4539 1488 0343 6468")
    # The best-known test number is made of two digits: pruned, like AWS's example keys.
    assert "CREDIT_CARD" not in _types(scanner, "card 4111 1111 1111 1111")
    assert "IBAN_CODE" in _types(scanner, "IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX")
    assert "US_SSN" in _types(scanner, "SSN 536-22-8726")
    for fake in ("000-12-3456", "666-12-3456", "123-00-4567", "078-05-1120"):
        assert "US_SSN" not in _types(scanner, f"SSN {fake}")


def test_deny_list_terms_and_allow_list_values(scanner: Scanner):
    from warden.policy.model import DlpPolicy

    custom = Scanner(
        DlpPolicy(deny_list=["Project Falcon"], allow_list=["support@example.com"], ner=False),
        salt=b"t",
    )
    found = {
        f.entity_type for f in custom.scan_text("Is project falcon ready? Mail support@example.com")
    }
    assert found == {"CUSTOM_TERM"}


def test_names_come_from_ner_and_from_salutations(scanner: Scanner):
    found = {
        (f.entity_type)
        for f in scanner.scan_text("Dear Ana Lima, the meeting with Acme Corp in Berlin moved.")
    }
    assert {"PERSON", "LOCATION"} <= found


def test_presidios_own_analyzer_still_builds_with_its_own_recognizers():
    """Presidio finds recognizers by class name: Warden's must not shadow its defaults."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from warden.dlp.offline import SPACY_MODEL, configure_offline
    from warden.dlp.recognizers import PATTERN_RECOGNIZERS

    configure_offline()
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    }
    engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=config).create_engine())
    ours = set(PATTERN_RECOGNIZERS)
    assert not [r for r in engine.registry.recognizers if type(r) in ours]


def test_digit_runs_inside_hex_digests_are_no_card_numbers(scanner) -> None:
    import hashlib

    digests = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(3000)]
    lock = "\n".join(f'{{ url = "x", hash = "sha256:{d}" }}' for d in digests)
    assert [f for f in scanner.scan_text(lock) if f.entity_type == "CREDIT_CARD"] == []
    assert [f.entity_type for f in scanner.scan_text("card 4539 1488 0343 6467.")] == [
        "CREDIT_CARD"
    ]


@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("https://{}@git.example.com/acme/repo.git", "0c9f4e2ab7d13f8e6a5b4c3d2e1f0a9b8c7d6e5f"),
        ("https://{}@git.heroku.com/shop.git", "7d1e5a3c-94b2-4f0e-8a6d-2c5b9e3f1a7d"),
        ("redis://{}@cache.acme-corp.io:6379/0", "Rk4xQ9mZ2tV7pL3w"),
        ("amqp://{}@mq.acme-corp.io:5672/", "a8Fz3Kq0Lw5Nr2Xv7Tb1"),
    ],
)
def test_a_token_alone_before_the_host_is_url_credentials(
    secrets_scanner: Scanner, url: str, token: str
):
    text = url.format(token)
    [finding] = secrets_scanner.scan_text(f"remote: {text}")
    assert finding.entity_type == "URL_CREDENTIALS"
    assert f"remote: {text}"[finding.start : finding.end] == token


@pytest.mark.parametrize(
    "user", ["git", "jane.doe.1987.smith", "svc_reporting_2024", "deploy-bot-2023-prod"]
)
def test_a_user_name_alone_before_the_host_is_not_a_credential(secrets_scanner: Scanner, user: str):
    assert secrets_scanner.scan_text(f"ssh://{user}@git.acme-corp.io/repo.git") == []
