"""Generic credentials found by the name they are assigned to, in the forms people paste."""

from __future__ import annotations

import time

import pytest

from tests.dlp.passwords import password_maker, redacted
from warden.dlp.recognizers.entropy import GenericSecretRecognizer
from warden.dlp.scanner import Scanner

_password = password_maker(20261207, "-.!@#%")
_redacted = redacted


@pytest.mark.parametrize(
    "template",
    [
        "DB_PASSWORD={v}",
        "spring.datasource.password={v}",
        "export API_TOKEN={v}",
        "curl --token={v} https://api.acme.io",
        'password: "{v}"',
        "[db]\npassword = {v}\nhost = db",
        'db_password = "{v}"',
        '{{"password": "{v}", "user": "app"}}',
        'variable "x" {{\n  token = "{v}"\n}}',
        '<add key="PartnerApiKey" value="{v}"/>',
        "<password>{v}</password>",
        'psql "host=db user=app password={v}"',
    ],
)
def test_a_value_assigned_to_a_secret_name_is_redacted_and_the_name_stays(
    secrets_scanner: Scanner, template: str
):
    value = _password()
    text = template.format(v=value)
    redacted, types = _redacted(secrets_scanner, text)
    assert redacted == template.format(v="[REDACTED]")
    assert types == ["GENERIC_SECRET"]


@pytest.mark.parametrize("quote", ['"', "'"])
def test_a_quoted_value_runs_to_its_closing_quote(secrets_scanner: Scanner, quote: str):
    value = _password() + " " + _password()
    text = f"password = {quote}{value}{quote}\n"
    redacted, types = _redacted(secrets_scanner, text)
    assert redacted == f"password = {quote}[REDACTED]{quote}\n"
    assert types == ["GENERIC_SECRET"]


@pytest.mark.parametrize("value", ["Jo77kK8.ff.oTy", "Qa.b9.Zx-Lm4"])
def test_a_quoted_password_with_dots_is_a_literal_not_a_reference(
    secrets_scanner: Scanner, value: str
):
    redacted, types = _redacted(secrets_scanner, f'db_password = "{value}"')
    assert redacted == 'db_password = "[REDACTED]"'
    assert types == ["GENERIC_SECRET"]


@pytest.mark.parametrize(
    "name",
    [
        "settings.Api2.Token",
        "settings.API_KEY",
        "self.config.dbPassword2",
        "some_module.SomeClass",
        "props.apiKey",
        "HTTPServer.getURL",
        "my-k8s-secret",
    ],
)
def test_an_unquoted_dotted_name_under_a_secret_name_is_a_reference(
    secrets_scanner: Scanner, name: str
):
    assert secrets_scanner.scan_text(f"api_token = {name}") == []


def test_an_unquoted_password_of_dots_dashes_and_random_characters_is_no_reference(
    secrets_scanner: Scanner,
):
    """y.Y8opPci4-V6g reads as a dotted name to a pattern; one in ten such passwords left
    unredacted before names were told from passwords by how often they switch case."""
    passwords = [_password(symbols="-.") for _ in range(300)]
    missed = [p for p in passwords if not secrets_scanner.scan_text(f"DB_PASSWORD={p}")]
    assert len(missed) <= 3, f"{len(missed)} of 300 missed"  # 3 of 9,000 when measured


@pytest.mark.parametrize(
    "text",
    [
        "password: ${{ secrets.DB_PASSWORD }}",
        'password: "${{ secrets.DB_PASSWORD }}"',
        "password=",
        "password: true",
        "token_type=bearer",
        "Please reset the password for the user and rotate the token tomorrow.",
        "password: YOUR_PASSWORD",
        "password=${DB_PASSWORD}",
        "password: <password>",
        'password: "****"',
        '<add key="CacheSeconds" value="3600"/>',
        "<password></password>",
        "secret_name = 'prod/db/password'",
        '"password": "Must be at least 8 characters, with 1 digit."',
    ],
)
def test_placeholders_references_and_prose_near_secret_names_are_not_findings(
    secrets_scanner: Scanner, text: str
):
    assert secrets_scanner.scan_text(text) == []


@pytest.mark.parametrize(
    "text",
    [
        'password = "' + "a" * 5000,
        "password: " + '"' + "ab " * 2000,
        '<add key="' + "Key" * 2000 + '" value="',
        "token" * 3000,
        "<" + "password" * 1000 + ">" + "x" * 3000,
        'password="' + "x-" * 3000,
        'key="a" value="' * 1000,
    ],
)
def test_generic_secrets_stay_fast_on_crafted_long_inputs(secrets_scanner: Scanner, text: str):
    """Tried at every key word in the proxy: no input may make the patterns backtrack.

    A linear scan of these takes under 20 ms; a quadratic one several seconds. The bound
    leaves room for a loaded machine (it failed at 0.2 s with four test workers beside
    other work) and still catches backtracking."""
    recognizer = GenericSecretRecognizer()
    started = time.perf_counter()
    recognizer.analyze_span(text, 0, len(text))
    secrets_scanner.scan_text(text)
    assert time.perf_counter() - started < 1.0


# What an attack review got through: in a configuration file an unquoted value that reads
# like a dotted or dashed name is the value itself, and a quoted passphrase of words is a
# password, not a message about one.
@pytest.mark.parametrize(
    "text",
    [
        "password: My.Secret.Name",
        "ADMIN_PASSWORD=Correct-Horse-Battery-Staple",
        "spring.datasource.password=Company.Prod.Key",
        "  - secret_key: Company.Prod.Key  # prod",
        'password: "Autumn Leaves 2023!"',
    ],
)
def test_a_password_shaped_like_a_name_in_a_config_file_is_a_secret(
    secrets_scanner: Scanner, text: str
):
    assert [f.entity_type for f in secrets_scanner.scan_text(text)] == ["GENERIC_SECRET"]


@pytest.mark.parametrize(
    "text",
    [
        "  password: config.password,",  # a JavaScript object
        "token: process.env.GITHUB_TOKEN",
        "connect(password=settings.DB_PASSWORD)",
        "PASSWORD=${DB_PASSWORD}",
        'password: "Enter your password"',
        "api_key: ThisIsMyVeryLongCamelCaseIdentifier",
        "password_file: ./secrets/db-Password.txt",
        "password: /run/secrets/Db-Pass2",
        "api.key=@project.apiKey@",
        "let token = AppConfig::Default.Token;",
    ],
)
def test_references_paths_and_build_placeholders_stay_what_they_are(
    secrets_scanner: Scanner, text: str
):
    assert secrets_scanner.scan_text(text) == []
