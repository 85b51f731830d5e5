"""JSON Web Tokens: three base64url parts whose header decodes to JSON naming an algorithm."""

from __future__ import annotations

import base64
import json

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["JwtRecognizer"]


class JwtRecognizer(WardenRecognizer):
    ENTITY = "JWT"
    PREFIXES = ("eyj",)
    MAX_LENGTH = 8192
    PATTERNS = (
        Pattern(
            "jwt",
            r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{4,4000}\.[A-Za-z0-9_-]{0,2000}"
            r"(?![\w-])",
            0.5,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        header = pattern_text.split(".", 1)[0]
        try:
            decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        except ValueError:
            return False
        return isinstance(decoded, dict) and "alg" in decoded
