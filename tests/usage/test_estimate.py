"""From a reading to a Usage: provider numbers when complete, otherwise a tiktoken estimate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from warden.usage.estimate import SAMPLE_CHARS, priced, resolve_usage
from warden.usage.meter import ResponseReading
from warden.usage.model import Usage
from warden.usage.prices import PriceTable
from warden.usage.tokens import count_tokens


def reading(**overrides: object) -> ResponseReading:
    fields: dict[str, object] = {
        "input_tokens": None,
        "output_tokens": None,
        "cached_tokens": None,
        "usage_complete": False,
        "model": None,
        "text": "",
        "text_chars": 0,
        "text_truncated": False,
        "wire_bytes": 100,
    }
    fields.update(overrides)
    if "text" in overrides and "text_chars" not in overrides:
        fields["text_chars"] = len(str(overrides["text"]))
    return ResponseReading(**fields)  # type: ignore[arg-type]


def test_complete_provider_usage_is_taken_as_is():
    usage = resolve_usage(
        reading(input_tokens=12, output_tokens=5, cached_tokens=4, usage_complete=True),
        ["ignored"],
        model="gpt-4o",
        endpoint="chat",
        status=200,
    )
    assert usage == Usage(12, 5, 4, source="provider")


def test_without_provider_usage_tokens_are_counted_with_the_models_encoding():
    prompt = ["You are terse.", "What is the capital of France?"]
    usage = resolve_usage(
        reading(text="Paris."), prompt, model="gpt-4o-mini", endpoint="chat", status=200
    )
    assert usage is not None
    expected_in = count_tokens("\n".join(prompt), "gpt-4o-mini")
    assert usage.source == "estimated"
    assert usage.encoding == expected_in.encoding  # o200k_base if cached, else the fallback
    assert usage.input_tokens == expected_in.tokens
    assert usage.output_tokens == count_tokens("Paris.", "gpt-4o-mini").tokens


def test_a_partial_anthropic_stream_keeps_the_provider_input_count():
    usage = resolve_usage(
        reading(input_tokens=25, text="Hi there"),
        ["hello"],
        model="claude-sonnet-4-5",
        endpoint="chat",
        status=200,
    )
    assert usage is not None
    assert (usage.input_tokens, usage.source) == (25, "estimated")
    assert usage.output_tokens > 0


def test_an_error_answer_without_usage_costs_nothing():
    usage = resolve_usage(reading(), ["x" * 500], model="gpt-4o", endpoint="chat", status=429)
    assert usage == Usage(source="estimated")


def test_endpoints_with_no_text_to_count_get_no_estimate():
    assert resolve_usage(reading(), [], model=None, endpoint="other", status=200) is None


def test_embeddings_estimate_input_only():
    usage = resolve_usage(
        reading(text="ignored"),
        ["embed me"],
        model="text-embedding-3-small",
        endpoint="embedding",
        status=200,
    )
    assert usage is not None and usage.output_tokens == 0 and usage.input_tokens > 0


def test_huge_texts_are_extrapolated_from_a_sample():
    text = "lorem ipsum dolor sit amet " * (SAMPLE_CHARS // 9)
    usage = resolve_usage(reading(), [text], model="gpt-4o", endpoint="chat", status=200)
    exact = count_tokens(text, "gpt-4o").tokens
    assert usage is not None
    assert abs(usage.input_tokens - exact) / exact < 0.05


def test_a_truncated_answer_is_scaled_up_by_its_full_length():
    usage = resolve_usage(
        reading(text="word " * 100, text_chars=5000, text_truncated=True),
        [],
        model="gpt-4o",
        endpoint="chat",
        status=200,
    )
    counted = count_tokens("word " * 100, "gpt-4o").tokens
    assert usage is not None and usage.output_tokens == counted * 10


@pytest.fixture(scope="module")
def prices() -> PriceTable:
    return PriceTable.load()


def test_cost_uses_the_response_model_then_the_request_model(prices):
    usage = Usage(1_000_000, 1_000_000, 0, source="provider")
    # The provider's dated name is priced like its family.
    dated = priced(usage, prices, "gpt-4o-mini-2024-07-18", "gpt-4o-mini")
    assert dated.cost_usd == pytest.approx(0.15 + 0.60)
    assert dated.price_version == prices.version
    unknown_first = priced(usage, prices, "my-azure-deployment", "gpt-4o-mini")
    assert unknown_first.cost_usd == pytest.approx(0.75)


def test_an_unknown_model_has_no_cost_but_keeps_the_table_version(prices):
    usage = priced(Usage(10, 10, source="provider"), prices, "llama-local", None)
    assert usage.cost_usd is None and usage.price_version == prices.version


def test_no_tokens_cost_nothing_whatever_the_model(prices):
    assert priced(Usage(), prices, "llama-local").cost_usd == 0.0


def test_pricing_keeps_every_other_field_of_the_usage():
    usage = Usage(
        input_tokens=10, output_tokens=5, cached_tokens=2, source="provider", encoding="o200k"
    )
    assert usage.priced(0.5, "v1") == replace(usage, cost_usd=0.5, price_version="v1")
