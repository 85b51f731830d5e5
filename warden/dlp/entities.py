"""Entity type names and the groups policies use for them (SECRETS, PII, ALL).

DLP recognizers report the entity types below; policies and redaction specs may name a type
or a group. Extend the sets when a recognizer adds a type.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ALL",
    "GROUPS",
    "PII_ENTITIES",
    "PLACEHOLDER_NAMES",
    "SECRET_ENTITIES",
    "expand_entities",
]

SECRET_ENTITIES = frozenset(
    {
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GOOGLE_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN",
        "GITLAB_TOKEN",
        "SLACK_TOKEN",
        "SLACK_WEBHOOK_URL",
        "STRIPE_KEY",
        "HUGGINGFACE_TOKEN",
        "AZURE_KEY",
        "AZURE_CONNECTION_STRING",
        "TWILIO_KEY",
        "SENDGRID_API_KEY",
        "NPM_TOKEN",
        "PYPI_TOKEN",
        "NOTION_TOKEN",
        "SHOPIFY_TOKEN",
        "LINEAR_API_KEY",
        "SONARQUBE_TOKEN",
        "VAULT_TOKEN",
        "TELEGRAM_BOT_TOKEN",
        "MISTRAL_API_KEY",
        "JWT",
        "PRIVATE_KEY",
        "URL_CREDENTIALS",
        "GENERIC_SECRET",
    }
)

PII_ENTITIES = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "US_ITIN",
        "IP_ADDRESS",
        "PERSON",
        "LOCATION",
        "ORGANIZATION",
        "CUSTOM_TERM",
    }
)

# Shorter names for placeholders people and models read: <EMAIL_1> rather than
# <EMAIL_ADDRESS_1>.
PLACEHOLDER_NAMES = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
    "US_SSN": "SSN",
    "US_ITIN": "ITIN",
}

ALL = "ALL"
GROUPS: dict[str, frozenset[str]] = {
    "SECRETS": SECRET_ENTITIES,
    "PII": PII_ENTITIES,
    ALL: SECRET_ENTITIES | PII_ENTITIES,
}


def expand_entities(names: Iterable[str]) -> frozenset[str]:
    """Entity types meant by a list of types and group names (case-insensitive groups)."""
    out: set[str] = set()
    for name in names:
        group = GROUPS.get(name.upper())
        if group is not None:
            out |= group
        else:
            out.add(name.upper())
    return frozenset(out)
