"""Slack bot, user, app and refresh tokens, and incoming-webhook URLs."""

from __future__ import annotations

from warden.dlp.placeholders import is_placeholder
from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["SlackTokenRecognizer", "SlackWebhookRecognizer"]


class SlackTokenRecognizer(WardenRecognizer):
    ENTITY = "SLACK_TOKEN"
    PREFIXES = ("xox", "xapp-")
    MAX_LENGTH = 260
    PATTERNS = (
        Pattern(
            "slack_token",
            r"(?<![\w-])xox[abposr]-(?:[0-9]{8,14}-){1,3}[A-Za-z0-9]{20,64}(?![\w-])",
            0.95,
        ),
        Pattern(
            "slack_rotating_token",
            r"(?<![\w-])xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{100,200}(?![\w-])",
            0.95,
        ),
        Pattern(
            "slack_app_token",
            r"(?<![\w-])xapp-\d-[A-Z0-9]{8,14}-\d{8,16}-[a-f0-9]{32,80}(?![\w-])",
            0.95,
        ),
    )


class SlackWebhookRecognizer(WardenRecognizer):
    ENTITY = "SLACK_WEBHOOK_URL"
    PREFIXES = ("hooks.slack.com/",)
    BEFORE = 8  # "https://"
    MAX_LENGTH = 140
    PATTERNS = (
        Pattern(
            "slack_webhook_url",
            r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/"
            r"T[A-Z0-9]{6,12}/[A-Z0-9]{6,14}/[A-Za-z0-9]{20,48}(?![\w-])",
            0.95,
        ),
    )

    def invalidate_result(self, pattern_text: str) -> bool:
        # .../T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX: the secret, the last part, is filler
        return is_placeholder(pattern_text.rsplit("/", 1)[-1])
