"""US individual taxpayer identification numbers: 9XX-GG-SSSS in the IRS's ITIN groups.

The IRS issues ITINs in the 900 area with the group 50-65, 70-88, 90-92 or 94-99, the ranges
Presidio's UsItinRecognizer uses. Other 900-area numbers in the SSN's shape are reported by
the SSN recognizer. As for SSNs, nine digits without separators are reported only with a
context word.
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["ITIN_GROUPS", "TaxpayerIdRecognizer"]

ITIN_GROUPS = r"(?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])"
# Whole words: "itin" is inside "writing", "tin" inside most words.
_CONTEXT = re.compile(r"\b(?:itin|taxpayer|tax id|tax identification|w-7)\b")


class TaxpayerIdRecognizer(WardenRecognizer):
    # Not UsItinRecognizer: Presidio looks recognizers up by class name (see base.py).
    ENTITY = "US_ITIN"
    CONTEXT = ("itin", "taxpayer", "tax id", "tax identification", "w-7")
    JOIN_LINES = False
    PATTERNS = (
        Pattern("itin_dashed", rf"(?<![\w.-])9\d{{2}}-{ITIN_GROUPS}-\d{{4}}(?![\w-]|\.\d)", 0.85),
        Pattern("itin_spaced", rf"(?<![\w.-])9\d{{2}} {ITIN_GROUPS} \d{{4}}(?![\w-]|\.\d)", 0.6),
        Pattern("itin_bare", rf"(?<![\w.-])9\d{{2}}{ITIN_GROUPS}\d{{4}}(?![\w-]|\.\d)", 0.2),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        # 987-65-4320 to 4329 are the numbers the SSA reserves for advertisements.
        return digits[5:] == "0000" or digits.startswith("98765432")

    def _has_context(self, text: str, start: int) -> bool:
        before = text[max(0, start - self.CONTEXT_CHARS) : start].lower()
        return _CONTEXT.search(before) is not None
