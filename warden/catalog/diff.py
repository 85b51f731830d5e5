"""What adopting another catalog would change: apps added, removed, and changed field by field."""

from __future__ import annotations

from dataclasses import dataclass, field

from warden.catalog.catalog import Catalog
from warden.catalog.entry import CatalogEntry

__all__ = ["CatalogDiff", "diff_catalogs"]


@dataclass(frozen=True)
class CatalogDiff:
    added: list[CatalogEntry] = field(default_factory=list)
    removed: list[CatalogEntry] = field(default_factory=list)
    # app id -> one line per change, e.g. "hosts: + a.example.com", "risk: unknown -> high"
    changed: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff_catalogs(before: Catalog, after: Catalog) -> CatalogDiff:
    result = CatalogDiff()
    for entry in after:
        old = before.get(entry.id)
        if old is None:
            result.added.append(entry)
        else:
            changes = _changes(old, entry)
            if changes:
                result.changed[entry.id] = changes
    result.removed.extend(e for e in before if after.get(e.id) is None)
    return result


def _changes(old: CatalogEntry, new: CatalogEntry) -> list[str]:
    lines = []
    gone = [h for h in old.hosts if h not in new.hosts]
    came = [h for h in new.hosts if h not in old.hosts]
    if came:
        lines.append("hosts: + " + ", ".join(came))
    if gone:
        lines.append("hosts: - " + ", ".join(gone))
    # The fields that change what Warden decrypts, reports or lets a policy match on.
    for name in ("intercept", "kind", "category", "schema", "sanctioned", "vendor", "name"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            lines.append(f"{name}: {before} -> {after}")
    if old.rating.level != new.rating.level:
        reasons = "; ".join(new.rating.reasons)
        lines.append(f"risk: {old.rating.level} -> {new.rating.level} ({reasons})")
    elif old.risk != new.risk:
        lines.append("risk attributes changed (rating stays " + str(new.rating.level) + ")")
    if old.source != new.source:
        lines.append(f"source: {old.source or '(none)'} -> {new.source or '(none)'}")
    return lines
