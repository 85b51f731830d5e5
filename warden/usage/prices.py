"""The price table: what a model's tokens cost, from prices.yaml and an optional override file.

A person can correct or extend the shipped list prices with a file of the same format
(mitmproxy option `warden_prices`). Override entries win; otherwise the most specific
matching pattern wins. Costs are recorded with the table's version, so a past event keeps
saying which prices it was costed with.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warden.usage.model import Usage
from warden.yamlfile import load_yaml_model

__all__ = ["DEFAULT_PRICES", "ModelPrice", "PriceFile", "PriceTable", "model_names"]

DEFAULT_PRICES = Path(__file__).with_name("prices.yaml")

# Bedrock model ids carry a cross-region prefix and the vendor: us.anthropic.claude-...
_BEDROCK_PREFIX = re.compile(
    r"^(?:(?:us|eu|apac|global|us-gov|jp|au)\.)?"
    r"(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer)\."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rates(_Strict):
    """USD per 1M tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)


class LongContext(Rates):
    above_tokens: int = Field(gt=0)


class ModelPrice(Rates):
    match: list[str] = Field(min_length=1)
    long_context: LongContext | None = None

    @field_validator("match", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("match")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        cleaned = [p.strip().lower() for p in value]
        if any(not p for p in cleaned):
            raise ValueError("a model pattern must not be empty")
        return cleaned


class PriceFile(_Strict):
    version: str = Field(min_length=1)
    currency: Literal["USD"] = "USD"
    models: list[ModelPrice] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _unique_patterns(self) -> PriceFile:
        seen: set[str] = set()
        for entry in self.models:
            for pattern in entry.match:
                if pattern in seen:
                    raise ValueError(f"model pattern {pattern!r} is listed twice")
                seen.add(pattern)
        return self


def model_names(model: str) -> list[str]:
    """The forms of a model name to look up: as sent, without a path, without Bedrock's prefix."""
    name = model.strip().lower()
    forms = [name]
    tail = name.rsplit("/", 1)[-1]  # openai/gpt-4o (OpenRouter), models/gemini-2.5-pro
    bare = _BEDROCK_PREFIX.sub("", tail)
    for form in (tail, bare):
        if form and form not in forms:
            forms.append(form)
    return forms


def _specificity(pattern: str) -> int:
    return sum(1 for ch in pattern if ch not in "*?[]")


# Distinct model names remembered per table; past this the cache starts over.
PRICE_CACHE_SIZE = 4096


class PriceTable:
    def __init__(self, default: PriceFile, override: PriceFile | None = None) -> None:
        self._layers = [f for f in (override, default) if f is not None]
        # Matching a name walks every pattern of the table; each answer is computed once.
        self._cache: dict[str, ModelPrice | None] = {}
        self.version = (
            default.version if override is None else (f"{default.version}+{override.version}")
        )

    @classmethod
    def load(cls, override: Path | None = None, default: Path = DEFAULT_PRICES) -> PriceTable:
        """Read and validate both files (ConfigError names file:line:column)."""
        base = load_yaml_model(default, PriceFile)
        extra = load_yaml_model(override, PriceFile) if override is not None else None
        return cls(base, extra)

    def price_for(self, model: str | None) -> ModelPrice | None:
        if not model:
            return None
        try:
            return self._cache[model]
        except KeyError:
            pass
        if len(self._cache) >= PRICE_CACHE_SIZE:
            self._cache.clear()  # model names come from requests: keep the memory bounded
        price = self._cache[model] = self._match(model)
        return price

    def _match(self, model: str) -> ModelPrice | None:
        names = model_names(model)
        for layer in self._layers:
            best: tuple[int, ModelPrice] | None = None
            for entry in layer.models:
                for pattern in entry.match:
                    if any(fnmatchcase(name, pattern) for name in names):
                        score = _specificity(pattern)
                        if best is None or score > best[0]:
                            best = (score, entry)
            if best is not None:
                return best[1]
        return None

    def cost(self, model: str | None, usage: Usage) -> tuple[float | None, str]:
        """USD for these tokens and the table version; None when the model has no price."""
        price = self.price_for(model)
        if price is None:
            return None, self.version
        rates: Rates = price
        if price.long_context is not None and usage.input_tokens > price.long_context.above_tokens:
            rates = price.long_context
        cached = min(max(usage.cached_tokens, 0), usage.input_tokens)
        cached_rate = rates.input if rates.cached_input is None else rates.cached_input
        usd = (
            (usage.input_tokens - cached) * rates.input
            + cached * cached_rate
            + usage.output_tokens * rates.output
        ) / 1_000_000
        return round(usd, 10), self.version
