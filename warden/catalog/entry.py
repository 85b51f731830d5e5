"""One AI application the catalog knows: who makes it, where it lives, how to read its traffic."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["KNOWN_SCHEMAS", "AppKind", "CatalogEntry", "Sanction"]

# The wire formats Warden has a parser for; an entry's `schema` names which one reads its bodies.
# "generic" is the fallback that extracts text from any JSON without knowing the vendor's shape.
KNOWN_SCHEMAS = frozenset(
    {
        "openai",
        "anthropic",
        "gemini",
        "bedrock",
        "cohere",
        "chatgpt_web",
        "cloudflare_gateway",
        "generic",
    }
)


class AppKind(StrEnum):
    API = "api"  # called by programs with an API key
    WEB_APP = "web_app"  # a chat site people use in the browser
    ASSISTANT = "assistant"  # built into an OS, office suite or IDE


class Sanction(StrEnum):
    """The organisation's standing on an app before any policy says otherwise."""

    SANCTIONED = "sanctioned"  # approved for use
    TOLERATED = "tolerated"  # allowed, but watched
    UNSANCTIONED = "unsanctioned"  # not approved


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    id: str  # slug, e.g. "openai"; policies and the audit log refer to apps by it
    name: str
    vendor: str
    kind: AppKind
    schema: str  # one of KNOWN_SCHEMAS
    hosts: tuple[str, ...]  # host patterns, see warden.catalog.patterns
    sanctioned: Sanction
    intercept: bool = True  # False: route and log by host, but tunnel TLS without decrypting
    notes: str = ""
