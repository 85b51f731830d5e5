"""The AI catalog the proxy uses: the shipped one plus the site files `warden run` got."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from warden.catalog import Catalog

__all__ = ["site_catalog"]


@lru_cache(maxsize=4)
def site_catalog(extra: tuple[Path, ...] = ()) -> Catalog:
    return Catalog.default(*extra)
