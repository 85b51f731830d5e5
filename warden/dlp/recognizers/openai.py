"""OpenAI API keys: project, service-account, admin and legacy user keys."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.entropy import looks_random

__all__ = ["OpenAIKeyRecognizer"]

# Every OpenAI key issued since 2023 carries "T3BlbkFJ" (base64 of "OpenAI") in the middle.
_MARK = "T3BlbkFJ"


class OpenAIKeyRecognizer(WardenRecognizer):
    ENTITY = "OPENAI_API_KEY"
    PREFIXES = ("sk-",)
    MAX_LENGTH = 420
    CONTEXT = ("openai", "gpt", "chatgpt")
    PATTERNS = (
        Pattern(
            "openai_scoped_key",
            rf"(?<![\w-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{{20,200}}{_MARK}"
            r"[A-Za-z0-9_-]{20,200}(?![\w-])",
            1.0,
        ),
        Pattern(
            "openai_user_key",
            rf"(?<![\w-])sk-[A-Za-z0-9]{{20}}{_MARK}[A-Za-z0-9]{{20}}(?![\w-])",
            1.0,
        ),
        # Other providers (DeepSeek, many gateways) reuse "sk-": a random-looking sk- token is
        # still a key, just not provably OpenAI's. Anthropic's have their own recognizer.
        Pattern("sk_dash_key", r"(?<![\w-])sk-(?!ant-)[A-Za-z0-9_-]{32,200}(?![\w-])", 0.55),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        if _MARK in pattern_text:
            return True
        # The fallback pattern: a key is random, a slug like sk-my-long-example-name is not.
        return None if looks_random(pattern_text[3:]) else False
