"""Anthropic API and admin keys (sk-ant-api03-..., sk-ant-admin01-...)."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["AnthropicKeyRecognizer"]


class AnthropicKeyRecognizer(WardenRecognizer):
    ENTITY = "ANTHROPIC_API_KEY"
    PREFIXES = ("sk-ant-",)
    MAX_LENGTH = 200
    PATTERNS = (
        Pattern(
            "anthropic_key",
            r"(?<![\w-])sk-ant-(?:api|admin|oat|ort|sid)\d{2}-[A-Za-z0-9_-]{80,120}(?![\w-])",
            0.9,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        # Issued keys are 93 random characters followed by "AA" after the version tag.
        body = pattern_text.split("-", 3)[-1]
        return True if len(body) == 95 and body.endswith("AA") else None
