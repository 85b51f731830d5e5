"""How figures read on the dashboard: 12.3k requests, $1,234.56."""

from __future__ import annotations

import math

__all__ = ["compact", "usd"]


def compact(value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "0"
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            return f"{number / limit:.1f}{suffix}"
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


def usd(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "$0.00"
    return f"${value:,.2f}"
