"""The AI catalog: the apps Warden recognises, the hosts they live on, and the PAC file for them.

The shipped catalog is catalog.yaml next to this file; sites extend it with their own files,
passed to ``Catalog.default(extra, ...)`` or ``Catalog.load(shipped, extra, ...)``.
"""

from __future__ import annotations

from warden.catalog.catalog import SHIPPED_CATALOG, Catalog
from warden.catalog.entry import KNOWN_SCHEMAS, AppKind, CatalogEntry, Category, Sanction
from warden.catalog.pac import render_pac
from warden.catalog.patterns import HostPattern, PatternKind, normalize_host, parse_host_pattern
from warden.catalog.rating import Rating, RiskLevel, rate
from warden.catalog.risk import Known, Retention, RiskProfile

__all__ = [
    "KNOWN_SCHEMAS",
    "SHIPPED_CATALOG",
    "AppKind",
    "Catalog",
    "CatalogEntry",
    "Category",
    "HostPattern",
    "Known",
    "PatternKind",
    "Rating",
    "Retention",
    "RiskLevel",
    "RiskProfile",
    "Sanction",
    "normalize_host",
    "parse_host_pattern",
    "rate",
    "render_pac",
]
