"""International bank account numbers: country code, ISO 13616 check digits (mod 97) and the
country's fixed length, compact or in groups of four."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["IbanCodeRecognizer", "iban_valid"]

# Length of the IBAN in each country that issues them (SWIFT IBAN registry).
_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_valid(compact: str) -> bool:
    if _LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


class IbanCodeRecognizer(WardenRecognizer):
    ENTITY = "IBAN_CODE"
    JOIN_LINES = False
    PATTERNS = (Pattern("iban", r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}", 0.5),)

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        # The pattern runs on into whatever follows; cut at the country's length.
        want = _LENGTHS.get(text[start : start + 2])
        if want is None:
            return None
        count, pos = 0, start
        while pos < end and count < want:
            if text[pos] != " ":
                count += 1
            pos += 1
        if count < want or (pos < len(text) and text[pos].isalnum()):
            return None
        return start, pos

    def validate_result(self, pattern_text: str) -> bool | None:
        return iban_valid(pattern_text.replace(" ", ""))
