"""Twilio API key SIDs with their secrets, and account auth tokens named as such.

An account SID (AC + 32 hex) identifies an account but grants nothing alone; it is not
reported. The 32-hex value passed right after it is its auth token, whatever it is called:
`Client('AC...', '<token>')`, `curl -u AC...:<token>`, `TwilioRestClient("AC...", "<token>")`.
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["TwilioKeyRecognizer", "TwilioNamedTokenRecognizer", "TwilioPairedTokenRecognizer"]


class TwilioKeyRecognizer(WardenRecognizer):
    ENTITY = "TWILIO_KEY"
    # No prefix filter: "sk" is everywhere in lower-cased prose, and `re` finds the literal
    # "SK" at the start of the pattern quickly on its own.
    PATTERNS = (Pattern("twilio_api_key_sid", r"SK[0-9a-f]{32}(?![A-Za-z0-9])", 0.85),)
    # 'SK0a1b2c' + '3d4e' + ...: a key split into string pieces, however short the pieces.
    SPLIT_HEAD = re.compile(r"(?<![A-Za-z0-9])SK[0-9a-f]{1,31}[\"'`]")

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        return None if start and (text[start - 1].isalnum()) else (start, end)


class TwilioNamedTokenRecognizer(WardenRecognizer):
    ENTITY = "TWILIO_KEY"
    PREFIXES = ("twilio", "auth_token", "authtoken")
    MAX_LENGTH = 120
    PATTERNS = (
        Pattern(
            "twilio_auth_token",
            r"(?i:twilio|auth_?token)[A-Za-z0-9_ .-]{0,40}?[\"']?\s{0,3}[:=]\s{0,3}[\"']?"
            r"(?P<value>[a-f0-9]{32})(?![A-Za-z0-9])",
            0.85,
        ),
    )


class TwilioPairedTokenRecognizer(WardenRecognizer):
    ENTITY = "TWILIO_KEY"
    # No prefix filter, as for SK above: "ac" starts too many lower-cased words.
    PATTERNS = (
        Pattern(
            "twilio_sid_then_token",
            # Quotes, commas, a colon and line breaks between them (black puts each argument
            # on its own line), or the word "token" in prose.
            r"(?<![A-Za-z0-9])AC[0-9a-f]{32}[\s,:'\"]{1,40}"
            r"(?:(?i:auth[_ ]?)?(?i:token)[\s:='\"]{1,8})?"
            r"(?P<value>[0-9a-fA-F]{32})(?![A-Za-z0-9])",
            0.85,
        ),
    )
