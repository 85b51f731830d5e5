"""Tokens of services whose format names them (Notion, Shopify, Linear, SonarQube, HashiCorp
Vault, Telegram bots), keys of no format found by their vendor's name (Mistral, Azure OpenAI),
and a Confluent Cloud API key given as the SASL user name.

Prefixed formats need a random body (mixed case or the format's hex, digits) so that an
identifier such as `secret_key_base_for_tests` is not one. Keys of 32 letters and digits
with no prefix (Mistral, Azure OpenAI) are reported only within a few words after their
vendor's name on the same line: `MISTRAL_API_KEY=...`, "the mistral key was rotated, new
value ...".
"""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.entropy import looks_random

__all__ = [
    "AzureOpenAINamedKeyRecognizer",
    "ConfluentSaslKeyRecognizer",
    "LinearKeyRecognizer",
    "MistralNamedKeyRecognizer",
    "NotionTokenRecognizer",
    "ShopifyTokenRecognizer",
    "SonarQubeTokenRecognizer",
    "TelegramBotTokenRecognizer",
    "VaultTokenRecognizer",
]


def _mixed(body: str) -> bool:
    return (
        any(c.isupper() for c in body)
        and any(c.islower() for c in body)
        and any(c.isdigit() for c in body)
    )


class NotionTokenRecognizer(WardenRecognizer):
    ENTITY = "NOTION_TOKEN"
    PREFIXES = ("secret_", "ntn_")
    MAX_LENGTH = 60
    PATTERNS = (
        Pattern("notion_internal_secret", r"(?<![\w-])secret_[A-Za-z0-9]{43}(?![\w-])", 0.8),
        Pattern("notion_token", r"(?<![\w-])ntn_[A-Za-z0-9]{40,50}(?![\w-])", 0.9),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if _mixed(pattern_text.split("_", 1)[1]) else False


class ShopifyTokenRecognizer(WardenRecognizer):
    ENTITY = "SHOPIFY_TOKEN"
    PREFIXES = ("shpat_", "shpca_", "shppa_", "shpss_")
    MAX_LENGTH = 40
    PATTERNS = (
        Pattern("shopify_token", r"(?<![\w-])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![\w-])", 0.9),
    )


class LinearKeyRecognizer(WardenRecognizer):
    ENTITY = "LINEAR_API_KEY"
    PREFIXES = ("lin_api_",)
    MAX_LENGTH = 50
    PATTERNS = (Pattern("linear_api_key", r"(?<![\w-])lin_api_[A-Za-z0-9]{40}(?![\w-])", 0.9),)

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if _mixed(pattern_text[8:]) else False


class SonarQubeTokenRecognizer(WardenRecognizer):
    ENTITY = "SONARQUBE_TOKEN"
    PREFIXES = ("squ_", "sqp_", "sqa_")
    MAX_LENGTH = 45
    PATTERNS = (Pattern("sonarqube_token", r"(?<![\w-])sq[upa]_[a-f0-9]{40}(?![\w-])", 0.85),)


class VaultTokenRecognizer(WardenRecognizer):
    ENTITY = "VAULT_TOKEN"
    PREFIXES = ("hvs.", "hvb.", "hvr.")
    MAX_LENGTH = 400
    PATTERNS = (
        # service (hvs.), batch (hvb.) and recovery (hvr.) tokens: 24 characters and more
        Pattern("vault_token", r"(?<![\w.-])hv[sbr]\.[A-Za-z0-9_-]{24,380}(?![\w.-])", 0.85),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if looks_random(pattern_text[4:], 24) else False


class TelegramBotTokenRecognizer(WardenRecognizer):
    """The bot's id, a colon and 35 characters: `123456789:AAF...`. Its digits alone read as
    a phone number; a secret finding outranks that (scanner.py)."""

    ENTITY = "TELEGRAM_BOT_TOKEN"
    # No prefix: the token starts with digits. `re` skips to the next run of 8 digits
    # before a colon quickly.
    PATTERNS = (Pattern("telegram_bot_token", r"\d{8,10}:[A-Za-z0-9_-]{35}(?![\w-])", 0.85),)

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        if start and (text[start - 1].isalnum() or text[start - 1] in ":_-"):
            return None
        body = text[end - 35 : end]
        if not (any(c.isupper() for c in body) and any(c.islower() for c in body)):
            return None
        return (start, end) if looks_random(body, 24) else None


# The vendor's name, then up to 60 characters on the same line, then the key.
_NAMED_32 = r"[^\r\n]{0,60}?(?<![\w-])(?P<value>[A-Za-z0-9]{32})(?![\w-])"


class MistralNamedKeyRecognizer(WardenRecognizer):
    ENTITY = "MISTRAL_API_KEY"
    PREFIXES = ("mistral",)
    ANCHORED = True
    MAX_LENGTH = 120
    JOIN_LINES = False
    PATTERNS = (Pattern("mistral_named_key", rf"(?i:mistral)[\w-]{{0,20}}{_NAMED_32}", 0.8),)

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        value = text[start:end]
        return (start, end) if _mixed(value) and looks_random(value) else None


class AzureOpenAINamedKeyRecognizer(WardenRecognizer):
    ENTITY = "AZURE_KEY"
    PREFIXES = ("azure_openai", "azure-openai", "azure openai", "azureopenai")
    ANCHORED = True
    MAX_LENGTH = 120
    JOIN_LINES = False
    PATTERNS = (
        Pattern("azure_openai_named_key", rf"(?i:azure[ _-]?openai)[\w-]{{0,20}}{_NAMED_32}", 0.8),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        value = text[start:end]
        hexadecimal = all(c in "0123456789abcdef" for c in value)
        return (start, end) if (hexadecimal or _mixed(value)) and looks_random(value) else None


class ConfluentSaslKeyRecognizer(WardenRecognizer):
    """Confluent Cloud signs Kafka clients in with an API key and secret given as SASL PLAIN's
    user name and password (`sasl.jaas.config=...PlainLoginModule required username="<key>"
    password="<secret>";`). The secret is found as a password (entropy.py); the key, like an
    AWS access key id, names the credential and is reported too, so that the pair never
    leaves whole. Only the key's shape (16 capitals and digits) in that position."""

    ENTITY = "GENERIC_SECRET"
    PREFIXES = ("loginmodule",)
    ANCHORED = True
    MAX_LENGTH = 120
    PATTERNS = (
        Pattern(
            "confluent_sasl_key",
            r"(?i:LoginModule)\s{1,5}required\s{1,5}username\s{0,3}=\s{0,3}[\"']"
            r"(?P<value>[A-Z0-9]{16})[\"']\s{1,5}password\s{0,3}=",
            0.7,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        has_both = any(c.isdigit() for c in pattern_text) and any(c.isalpha() for c in pattern_text)
        return None if has_both else False
