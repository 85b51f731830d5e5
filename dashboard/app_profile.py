"""What the catalog the proxy uses says about an app: its category and its risk rating."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.catalogs import site_catalog
from warden.catalog import Category
from warden.catalog.rating import RiskLevel

__all__ = ["CATEGORY_LABELS", "NOT_IN_CATALOG", "RATING_ORDER", "AppProfile", "profile"]

# Headings a reader scans for; the order is the order the page falls back to on ties.
CATEGORY_LABELS: dict[str, str] = {
    Category.CHAT: "Chat assistants",
    Category.CODING: "Coding assistants and AI IDEs",
    Category.WRITING: "Writing and productivity",
    Category.MEETING: "Meeting recorders and transcription",
    Category.TRANSLATION: "Translation",
    Category.IMAGE: "Image generation",
    Category.VIDEO: "Video generation",
    Category.VOICE: "Voice and music",
    Category.SEARCH: "AI search",
    Category.AGENT: "Agent and automation platforms",
    Category.SUITE: "AI in office and business suites",
    Category.MODEL_API: "Model APIs",
    Category.INFERENCE: "Model hubs and inference hosts",
    Category.GATEWAY: "AI gateways",
    Category.OTHER: "Other",
}
NOT_IN_CATALOG = "Not in the catalog"

# Riskiest first: an app nobody has rated is shown before one rated medium, because
# "unknown" may hide the worst answer.
RATING_ORDER = (RiskLevel.HIGH, RiskLevel.UNKNOWN, RiskLevel.MEDIUM, RiskLevel.LOW)


@dataclass(frozen=True, slots=True)
class AppProfile:
    category: str  # a Category value, or "" when the app is not in the catalog
    category_label: str
    rating: str  # a RiskLevel value
    reasons: tuple[str, ...]


def profile(app: str, catalogs: tuple[Path, ...] = ()) -> AppProfile:
    """The app's category and rating with its reasons, from the shipped catalog plus the
    site files the proxy was given; an app the catalog no longer knows is unrated."""
    entry = site_catalog(catalogs).get(app)
    if entry is None:
        return AppProfile("", NOT_IN_CATALOG, RiskLevel.UNKNOWN.value, ("not in the catalog",))
    rating = entry.rating
    return AppProfile(
        entry.category.value,
        CATEGORY_LABELS[entry.category],
        rating.level.value,
        rating.reasons,
    )
