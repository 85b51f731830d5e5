"""Usage of one request: tokens in and out, and what they cost."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Usage"]


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    # "provider" when read from the provider's own usage fields, "estimated" when counted here.
    source: str = "estimated"
    encoding: str | None = None  # the tiktoken encoding used for an estimate
    cost_usd: float | None = None
    price_version: str | None = None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def priced(self, cost_usd: float | None, price_version: str | None) -> Usage:
        """The same usage with its cost (dataclasses.replace costs several times more, once
        per request)."""
        return Usage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cached_tokens=self.cached_tokens,
            source=self.source,
            encoding=self.encoding,
            cost_usd=cost_usd,
            price_version=price_version,
        )
