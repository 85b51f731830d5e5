"""AWS access key ids (by format) and secret access keys (by context).

Keys ending in EXAMPLE (AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY) are
AWS's own documentation placeholders: they never authenticate, they appear in countless code
samples people paste, and reporting them would teach people to ignore findings. They are
pruned. A real key id is 16 random base-32 characters, so one ending in EXAMPLE by chance is
about one in 3.4 * 10^10.
"""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.entropy import shannon_entropy

__all__ = ["AwsAccessKeyRecognizer", "AwsSecretKeyRecognizer"]

_KEY_ID = r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}"
_SECRET = r"(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"


class AwsAccessKeyRecognizer(WardenRecognizer):
    ENTITY = "AWS_ACCESS_KEY_ID"
    PREFIXES = ("akia", "asia", "abia", "acca", "a3t")
    MAX_LENGTH = 24
    PATTERNS = (Pattern("aws_access_key_id", rf"(?<![A-Za-z0-9]){_KEY_ID}(?![A-Za-z0-9])", 0.9),)

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return pattern_text.endswith("EXAMPLE")


class AwsSecretKeyRecognizer(WardenRecognizer):
    """40 characters of base64 are only an AWS secret when something says so nearby."""

    ENTITY = "AWS_SECRET_ACCESS_KEY"
    PREFIXES = ("aws", "secretaccesskey", "secret_access_key", "akia", "asia")
    MAX_LENGTH = 220
    PATTERNS = (
        # aws_secret_access_key = ..., "SecretAccessKey": "...", AWS secret: ...
        Pattern(
            "aws_secret_by_name",
            r"(?i:aws[A-Za-z0-9_ .-]{0,20}?secret|secret_?access_?key)[A-Za-z0-9_ .-]{0,20}?"
            r"[\"']?\s{0,3}(?:[:=]|=>)\s{0,3}[\"']?" + _SECRET,
            0.8,
        ),
        # A key id followed closely by a 40-character secret (credentials files, CSV exports).
        Pattern(
            "aws_secret_after_key_id",
            rf"{_KEY_ID}[^\n]{{0,40}}\n?[^\n]{{0,120}}?(?<![A-Za-z0-9/+]){_SECRET}",
            0.8,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        mixed = (
            any(c.isupper() for c in pattern_text)
            and any(c.islower() for c in pattern_text)
            and any(c.isdigit() for c in pattern_text)
        )
        return None if mixed and shannon_entropy(pattern_text) >= 4.0 else False

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return "EXAMPLE" in pattern_text
