"""Payment card numbers: 12 to 19 digits (spaces or dashes allowed between groups) with a
known issuer prefix and a valid Luhn checksum.

Numbers made of one or two distinct digits (4111 1111 1111 1111, the best-known test card,
or 0000...) are pruned: they are test data, like AWS's EXAMPLE keys.
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["PaymentCardRecognizer", "luhn_valid"]

# Visa, Mastercard (51-55 and 2221-2720), Amex, Discover, Diners, JCB (35, 2131, 1800),
# Maestro, UnionPay.
_ISSUER = re.compile(r"^(?:4|5[0-9]|2[2-7]|2131|1800|3[0-9]|6[0-9])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class PaymentCardRecognizer(WardenRecognizer):
    ENTITY = "CREDIT_CARD"
    CONTEXT = ("card", "visa", "mastercard", "amex", "credit", "debit", "payment", "cc")
    JOIN_LINES = False
    # Not inside a word: a hex digest (sha256 in a lockfile, a git hash) holds digit runs that
    # pass Luhn by chance, and rewriting one corrupts it. Not after a plus: +4915125441019 is
    # a phone number in E.164 even when its digits pass Luhn.
    PATTERNS = (
        Pattern(
            "card_number",
            r"(?<![\dA-Za-z.,+-])\d(?:[ -]?\d){11,18}(?![\dA-Za-z-]|[.,]\d)",
            0.3,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"[ -]", "", pattern_text)
        if not 12 <= len(digits) <= 19 or len(set(digits)) < 3:
            return False
        return bool(_ISSUER.match(digits)) and luhn_valid(digits)
