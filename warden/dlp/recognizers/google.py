"""Google API keys (AIza...), OAuth client secrets (GOCSPX-) and OAuth access tokens (ya29.)."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["GoogleKeyRecognizer"]


class GoogleKeyRecognizer(WardenRecognizer):
    ENTITY = "GOOGLE_API_KEY"
    PREFIXES = ("aiza", "gocspx-", "ya29.")
    MAX_LENGTH = 2200
    PATTERNS = (
        # Prefix plus exactly 35 characters: specific enough without a checksum.
        Pattern("google_api_key", r"(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])", 0.9),
        Pattern("google_oauth_client_secret", r"(?<![\w-])GOCSPX-[0-9A-Za-z_-]{28}(?![\w-])", 0.9),
        Pattern("google_oauth_token", r"(?<![\w.-])ya29\.[0-9A-Za-z_-]{30,2048}(?![\w-])", 0.85),
    )
