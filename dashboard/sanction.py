"""An app's standing as the proxy applies it now: the policy's override, else the catalog's."""

from __future__ import annotations

from pathlib import Path

from dashboard.catalogs import site_catalog
from warden.policy.model import Policy

__all__ = ["standing"]


def standing(
    app: str, policy: Policy | None, catalogs: tuple[Path, ...] = ()
) -> tuple[str, str, str]:
    """(name, status, where the status comes from: "policy" | "catalog" | "unknown")."""
    entry = site_catalog(catalogs).get(app)
    name = entry.name if entry else app
    if policy is not None and app in policy.sanctioned:
        return name, str(policy.sanctioned[app]), "policy"
    if entry is not None:
        return name, str(entry.sanctioned), "catalog"
    return name, "unknown", "unknown"
