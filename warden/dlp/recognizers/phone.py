"""Phone numbers, checked with libphonenumber (the `phonenumbers` package Presidio uses).

A number written with separators or a country code that libphonenumber calls valid for a
common region scores 0.8. One it only calls possible still scores 0.6 when it has a country
code or the North American 3-3-4 grouping: area codes change, and a wrong one in a prompt is
still someone's number; so does a number in E.164 without spaces (+4915123065209: 10 to 15
digits, country code included). Bare digit runs (10 to 12 digits, also order numbers and ids) score
0.3 and need a context word (phone, call, mobile...; +0.35) to be reported.
"""

from __future__ import annotations

import re

import phonenumbers

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["PhoneNumberRecognizer"]

_REGIONS = ("US", "GB", "DE", "FR", "IN", "CA", "AU", "ES", "IT", "NL", "BR", "JP")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?)\s*\d{1,6}$")
_FORMATTED = re.compile(r"^(?:\+|00)\d|^(?:1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}$")
_NOT_A_PHONE = re.compile(
    r"\d+(?:\.\d+)+"  # a version, a decimal, an address
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2}(?: \d{1,2})?|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}"  # dates
    r"|\d{3}([- ])\d{2}\1\d{4}"  # the shapes of a US social security number (us_ssn.py)
)


class PhoneNumberRecognizer(WardenRecognizer):
    ENTITY = "PHONE_NUMBER"
    CONTEXT = ("phone", "call", "mobile", "cell", "tel", "fax", "sms", "whatsapp", "contact")
    JOIN_LINES = False
    VALID_SCORE = 0.8
    CONTEXT_CHARS = 100  # a CSV column header is a whole row away
    PATTERNS = (
        Pattern(
            "phone",
            r"(?<![\w+.-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?|\d{1,5}[ .-])"
            r"(?:\d{1,5}[ .-]){0,4}\d{2,10}(?:\s*(?:x|ext\.?)\s*\d{1,6})?(?![\w-]|[.,]\d)",
            0.6,
        ),
        # E.164 without spaces: the plus and the country code make it a phone number.
        Pattern("phone_e164", r"(?<![\w+.-])\+[1-9]\d{9,14}(?![\w-]|[.,]\d)", 0.6),
        Pattern("phone_digits", r"(?<![\w+.-])\d{10,12}(?![\w-]|[.,]\d)", 0.3),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        number = _EXTENSION.sub("", pattern_text).strip()
        digits = sum(c.isdigit() for c in number)
        if not 7 <= digits <= 15:
            return False
        if _NOT_A_PHONE.fullmatch(number) and not _FORMATTED.match(number):
            return False
        international = number.startswith(("+", "00"))
        if number.startswith("00"):
            number = "+" + number[2:]
        possible = False
        for region in (None,) if international else _REGIONS:
            try:
                parsed = phonenumbers.parse(number, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(parsed) and not number.isdigit():
                return True
            possible = possible or phonenumbers.is_possible_number(parsed)
        if not possible:
            return False
        return None if number.isdigit() or _FORMATTED.match(number) else False
