"""US social security numbers: AAA-GG-SSSS, dashed or in spaces, with known fakes pruned.

Areas 000 and 666, group 00 and serial 0000 are never issued and pruned. A number in the 900
area is reported too unless its group is an ITIN group (us_itin.py reports those): the SSA
never issued it as an SSN, but it is written as one and is someone's identifier all the same
(an adoption taxpayer id, 9XX-93-XXXX, or a mistyped SSN). The spaced form 123 45 6789 is the
SSN's grouping, which phone.py does not claim. Nine digits without separators are reported
only with a context word (ssn, social security), as Presidio does.
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.us_itin import ITIN_GROUPS

__all__ = ["SocialSecurityNumberRecognizer"]

# Numbers that appear in ads, documentation and tests.
_KNOWN_FAKES = frozenset({"078051120", "219099999", "123456789", "987654320"})
_ITIN_GROUP = re.compile(ITIN_GROUPS)


class SocialSecurityNumberRecognizer(WardenRecognizer):
    ENTITY = "US_SSN"
    CONTEXT = ("ssn", "social security", "social-security", "tax id", "taxpayer")
    JOIN_LINES = False
    PATTERNS = (
        Pattern("ssn_dashed", r"(?<![\w.-])\d{3}-\d{2}-\d{4}(?![\w-]|\.\d)", 0.85),
        Pattern("ssn_spaced", r"(?<![\w.-])\d{3} \d{2} \d{4}(?![\w-]|\.\d)", 0.6),
        Pattern("ssn_bare", r"(?<![\w.-])\d{9}(?![\w-]|\.\d)", 0.2),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        return (
            area in ("000", "666")
            or (area.startswith("9") and _ITIN_GROUP.fullmatch(group) is not None)
            or group == "00"
            or serial == "0000"
            or len(set(digits)) == 1
            or digits in _KNOWN_FAKES
        )
