"""Turn what was seen of one exchange into a Usage: the provider's numbers, or our count.

Provider usage is taken as is when it covers the whole answer. Otherwise tokens are counted
with tiktoken (warden.usage.tokens) over the prompt text that was sent and the answer text
that came back, and marked estimated with the encoding used. Only text-generation and
embedding endpoints are estimated; for anything else there is no honest number to give.
"""

from __future__ import annotations

from collections.abc import Sequence

from warden.usage.meter import ResponseReading
from warden.usage.model import Usage
from warden.usage.prices import PriceTable
from warden.usage.tokens import count_tokens

__all__ = ["ESTIMATED_ENDPOINTS", "SAMPLE_CHARS", "priced", "resolve_usage"]

ESTIMATED_ENDPOINTS = frozenset({"chat", "completion", "embedding"})
# Text past this is not tokenised but extrapolated from this much: counting stays under
# ~5 ms, cheap enough for the proxy's event loop, and an estimate is an estimate anyway.
SAMPLE_CHARS = 128 * 1024


def resolve_usage(
    reading: ResponseReading | None,
    prompt_texts: Sequence[str],
    *,
    model: str | None,
    endpoint: str | None,
    status: int | None,
) -> Usage | None:
    """Tokens for one exchange, or None when nothing can be said."""
    if reading is not None and reading.usage_complete and reading.input_tokens is not None:
        return Usage(
            input_tokens=reading.input_tokens,
            output_tokens=reading.output_tokens or 0,
            cached_tokens=reading.cached_tokens or 0,
            source="provider",
        )
    if status is not None and status >= 400:
        # Providers do not bill refused requests; counting the prompt would overstate spend.
        return Usage(source="estimated")
    if endpoint not in ESTIMATED_ENDPOINTS:
        return None
    input_tokens, encoding = _count("\n".join(prompt_texts), model)
    if reading is not None and reading.input_tokens is not None:
        input_tokens = reading.input_tokens  # Anthropic told us the prompt before failing
    output_tokens = 0
    if reading is not None and reading.text and endpoint != "embedding":
        output_tokens, _ = _count(reading.text, model)
        if reading.text_truncated:
            # The meter keeps only the start of a huge answer: scale up by length.
            output_tokens = round(output_tokens * reading.text_chars / len(reading.text))
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_tokens=(reading.cached_tokens or 0) if reading is not None else 0,
        source="estimated",
        encoding=encoding,
    )


def _count(text: str, model: str | None) -> tuple[int, str]:
    if len(text) <= SAMPLE_CHARS:
        counted = count_tokens(text, model)
        return counted.tokens, counted.encoding
    counted = count_tokens(text[:SAMPLE_CHARS], model)
    return round(counted.tokens * len(text) / SAMPLE_CHARS), counted.encoding


def priced(usage: Usage, prices: PriceTable, *models: str | None) -> Usage:
    """The usage with its cost, from the first of `models` the table has a price for."""
    version = prices.version
    if usage.total_tokens == 0 and usage.cached_tokens == 0:
        return usage.priced(0.0, version)  # nothing used, any model
    for model in models:
        usd, version = prices.cost(model, usage)
        if usd is not None:
            return usage.priced(usd, version)
    return usage.priced(None, version)
