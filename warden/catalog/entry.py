"""One AI application the catalog knows: who makes it, where it lives, how to read its traffic."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from warden.catalog.rating import Rating, rate
from warden.catalog.risk import RiskProfile

__all__ = ["KNOWN_SCHEMAS", "AppKind", "CatalogEntry", "Category", "Sanction"]

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


class Category(StrEnum):
    """What people use the app for; `kind` says how they reach it."""

    CHAT = "chat"  # general chat assistants
    MODEL_API = "model_api"  # model providers' APIs
    INFERENCE = "inference"  # model hubs and hosts that run many vendors' models
    GATEWAY = "gateway"  # routers and gateways in front of other providers
    CODING = "coding"  # code assistants, AI IDEs, app builders
    WRITING = "writing"  # writing, grammar and productivity assistants
    MEETING = "meeting"  # meeting recorders, note takers, transcription
    TRANSLATION = "translation"
    IMAGE = "image"  # image generation and editing
    VIDEO = "video"  # video generation, avatars
    VOICE = "voice"  # speech synthesis, voice cloning, music
    SEARCH = "search"  # AI search and research
    AGENT = "agent"  # agent and automation platforms
    SUITE = "suite"  # AI features of office and business suites on their own hosts
    OTHER = "other"


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
    category: Category = Category.OTHER
    source: str = ""  # URL of the vendor's page naming these hosts (required in catalog files)
    risk: RiskProfile = field(default_factory=RiskProfile)

    @property
    def rating(self) -> Rating:
        """low / medium / high / unknown with reasons, derived from ``risk`` (see rating.py)."""
        return rate(self.risk)
