"""npm access tokens (npm_ + 36 characters).

npm adopted GitHub's token format in 2021, checksum included (see github.py). A valid checksum
scores 1.0; npm never documented the checksum itself, so a token that fails it is still
reported, at 0.6.
"""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.github import has_valid_checksum

__all__ = ["NpmTokenRecognizer"]


class NpmTokenRecognizer(WardenRecognizer):
    ENTITY = "NPM_TOKEN"
    PREFIXES = ("npm_",)
    MAX_LENGTH = 48
    PATTERNS = (Pattern("npm_token", r"(?<![\w-])npm_[A-Za-z0-9]{36}(?![\w-])", 0.6),)

    def validate_result(self, pattern_text: str) -> bool | None:
        return True if has_valid_checksum(pattern_text) else None
