"""SendGrid API keys: SG.<22 characters>.<43 characters>."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["SendGridKeyRecognizer"]


class SendGridKeyRecognizer(WardenRecognizer):
    ENTITY = "SENDGRID_API_KEY"
    PREFIXES = ("sg.",)
    MAX_LENGTH = 72
    PATTERNS = (
        Pattern(
            "sendgrid_api_key",
            r"(?<![\w.-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])",
            0.95,
        ),
    )
