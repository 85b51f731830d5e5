"""Terms a policy's dlp.deny_list says must never leave: project code names, customer names.

Matched whole-word and case-insensitively, on the normalized text (so homoglyphs and
zero-width characters do not hide them either).
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["CustomTermRecognizer"]


class CustomTermRecognizer(WardenRecognizer):
    ENTITY = "CUSTOM_TERM"
    JOIN_LINES = False
    FLAGS = re.IGNORECASE
    PATTERNS = ()

    def __init__(self, terms: list[str]) -> None:
        words = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
        escaped = "|".join(re.escape(w) for w in words)
        super().__init__((Pattern("deny_list", rf"(?<!\w)(?:{escaped})(?!\w)", 1.0),))
