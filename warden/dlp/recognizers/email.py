"""Email addresses, validated against the public suffix list (tldextract, offline snapshot)."""

from __future__ import annotations

from warden.dlp.offline import tld_extractor
from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["EmailAddressRecognizer"]


class EmailAddressRecognizer(WardenRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    PREFIXES = ("@",)
    BEFORE = 64  # the local part
    MAX_LENGTH = 255
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "email",
            r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
            r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])",
            0.5,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        domain = pattern_text.rsplit("@", 1)[1]
        return True if tld_extractor()(domain).suffix else None
