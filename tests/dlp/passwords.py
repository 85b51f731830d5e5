"""Fresh fake passwords and the redacted form of a text, for the generic-credential tests."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from warden.dlp.scanner import Scanner

__all__ = ["generic_secrets", "password_maker", "redacted"]


def password_maker(seed: int, default_symbols: str) -> Callable[..., str]:
    """Passwords from a seeded generator: every kind of character, symbols inside, a letter
    at each end (a password no recognizer was tuned on, drawn anew per call)."""
    rng = random.Random(seed)

    def password(symbols: str = default_symbols) -> str:
        middle = [
            *rng.choices(string.ascii_lowercase, k=4),
            *rng.choices(string.ascii_uppercase, k=3),
            *rng.choices(string.digits, k=3),
            *rng.choices(symbols, k=2),
        ]
        rng.shuffle(middle)
        return rng.choice(string.ascii_letters) + "".join(middle) + rng.choice(string.ascii_letters)

    return password


def redacted(scanner: Scanner, text: str) -> tuple[str, list[str]]:
    """The text with each finding replaced by [REDACTED], and the findings' types."""
    findings = sorted(scanner.scan_text(text), key=lambda f: f.start, reverse=True)
    for f in findings:
        text = text[: f.start] + "[REDACTED]" + text[f.end :]
    return text, [f.entity_type for f in findings]


def generic_secrets(scanner: Scanner, text: str) -> set[str]:
    """The values reported as GENERIC_SECRET at the default policy's 0.5."""
    return {
        text[f.start : f.end]
        for f in scanner.scan_text(text)
        if f.entity_type == "GENERIC_SECRET" and f.score >= 0.5
    }
