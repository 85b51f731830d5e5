"""The price table: list prices, overrides, most specific match, validation with file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from warden.errors import ConfigError
from warden.usage.model import Usage
from warden.usage.prices import PriceTable, model_names

M = 1_000_000


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return PriceTable.load()


@pytest.mark.parametrize(
    ("model", "input_rate", "output_rate"),
    [
        ("gpt-4o", 2.50, 10.00),
        ("gpt-4o-mini", 0.15, 0.60),  # more specific than gpt-4o*
        ("gpt-4o-mini-2024-07-18", 0.15, 0.60),
        ("gpt-5", 1.25, 10.00),
        ("gpt-5-mini", 0.25, 2.00),
        ("o3-mini", 1.10, 4.40),
        ("claude-sonnet-4-5-20250929", 3.00, 15.00),
        ("claude-opus-4-5", 5.00, 25.00),
        ("claude-opus-4-1", 15.00, 75.00),
        ("us.anthropic.claude-haiku-4-5-20251001-v1:0", 1.00, 5.00),  # Bedrock id
        ("anthropic/claude-sonnet-4.5", 3.00, 15.00),  # OpenRouter
        ("models/gemini-2.5-flash", 0.30, 2.50),
        ("gemini-2.5-flash-lite", 0.10, 0.40),
        ("mistral-large-latest", 2.00, 6.00),
        ("deepseek-chat", 0.28, 0.42),
        ("grok-4-fast-reasoning", 0.20, 0.50),
        ("command-a-03-2025", 2.50, 10.00),
        ("command-r-08-2024", 0.15, 0.60),
        ("GPT-4O", 2.50, 10.00),  # case-insensitive
    ],
)
def test_major_models_have_list_prices(table, model, input_rate, output_rate):
    # 100k prompt tokens: under every long-context threshold.
    usd, version = table.cost(model, Usage(100_000, M, 0))
    assert usd == pytest.approx(input_rate / 10 + output_rate)
    assert version == table.version


def test_cached_input_is_charged_at_the_cached_rate(table):
    usd, _ = table.cost("gpt-4o", Usage(input_tokens=M, output_tokens=0, cached_tokens=M // 2))
    assert usd == pytest.approx(0.5 * 2.50 + 0.5 * 1.25)


def test_long_prompts_switch_to_long_context_prices(table):
    short, _ = table.cost("gemini-2.5-pro", Usage(200_000, 0))
    long, _ = table.cost("gemini-2.5-pro", Usage(200_001, 0))
    assert short == pytest.approx(0.2 * 1.25)
    assert long == pytest.approx(200_001 / M * 2.50)


def test_unknown_models_have_no_price(table):
    assert table.cost("my-finetune", Usage(10, 10)) == (None, table.version)
    assert table.price_for(None) is None


def test_model_names_try_the_name_without_prefixes():
    assert model_names("eu.anthropic.claude-3-haiku-20240307-v1:0") == [
        "eu.anthropic.claude-3-haiku-20240307-v1:0",
        "claude-3-haiku-20240307-v1:0",
    ]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site-prices.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_an_override_file_wins_and_extends(tmp_path):
    override = write(
        tmp_path,
        """
        version: acme-2026-q4
        models:
          - {match: "gpt-4o*", input: 2.00, output: 8.00}
          - {match: ["llama-internal*"], input: 0.05, output: 0.05}
        """,
    )
    table = PriceTable.load(override)
    assert table.version.endswith("+acme-2026-q4")
    # The override's broad pattern beats the default's more specific gpt-4o-mini* entry.
    assert table.cost("gpt-4o-mini", Usage(M, 0))[0] == pytest.approx(2.00)
    assert table.cost("llama-internal-70b", Usage(M, M))[0] == pytest.approx(0.10)
    assert table.cost("claude-haiku-4-5", Usage(M, 0))[0] == pytest.approx(1.00)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            """
            version: x
            models:
              - {match: "a*", input: 1, output: 1}
              - {match: "b*", input: -1, output: 1}
            """,
            ":5:",
            "models.1.input",
        ),
        (
            """
            version: x
            models:
              - match: "a*"
                input: 1
                output: 1
                cached: 0.5
            """,
            ":7:",
            "cached",
        ),
        ("models: []\n", ":1:", "version"),
        (
            """
            version: x
            models:
              - {match: "a*", input: 1, output: 1}
              - {match: "A*", input: 2, output: 2}
            """,
            ":2:",
            "listed twice",
        ),
        ("version: x\nmodels: [\n", ":", "invalid YAML"),
    ],
    ids=["negative-price", "unknown-field", "missing-version", "duplicate-pattern", "bad-yaml"],
)
def test_invalid_price_files_are_reported_with_file_and_line(tmp_path, text, where, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        PriceTable.load(path)
    error = str(raised.value)
    assert error.startswith(str(path) + where), error
    assert message in error


def test_the_shipped_table_is_valid_and_says_it_is_list_prices():
    from warden.usage.prices import DEFAULT_PRICES

    assert "LIST PRICES, VERIFY" in DEFAULT_PRICES.read_text()
    assert PriceTable.load().version
