"""GitHub tokens: classic and fine-grained personal access tokens, OAuth, app and refresh tokens.

The prefixed formats (ghp_, gho_, ghu_, ghs_, ghr_) end in a checksum GitHub documented in
"Behind GitHub's new authentication token formats" (2021): the last 6 characters are the
CRC32 of the 30 random characters before them, in base62 (0-9A-Za-z), left-padded with zeros.
A token whose checksum holds scores 1.0; one that fails (a hand-typed example such as
ghp_xxxx...) keeps the low base score 0.4, below the default min_score of 0.5.
"""

from __future__ import annotations

import string
import zlib

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["GitHubTokenRecognizer", "base62_crc32"]

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def base62_crc32(data: str) -> str:
    """The 6-character checksum GitHub and npm append to their tokens."""
    number = zlib.crc32(data.encode("ascii"))
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(6, "0")


def has_valid_checksum(token: str) -> bool:
    """prefix_ + 30 random + 6 checksum characters."""
    body = token.split("_", 1)[1]
    return len(body) == 36 and base62_crc32(body[:30]) == body[30:]


class GitHubTokenRecognizer(WardenRecognizer):
    ENTITY = "GITHUB_TOKEN"
    PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
    MAX_LENGTH = 100
    PATTERNS = (
        Pattern("github_token", r"(?<![\w-])gh[pousr]_[A-Za-z0-9]{36}(?![\w-])", 0.4),
        # Fine-grained tokens: no published checksum, but the shape is unmistakable.
        Pattern(
            "github_fine_grained_pat",
            r"(?<![\w-])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![\w-])",
            0.95,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        if pattern_text.startswith("github_pat_"):
            return None
        return True if has_valid_checksum(pattern_text) else None
