"""The audit log's summary of DLP findings: types, counts and masked previews, never values.

Findings already hold no raw value (warden.dlp.types.Finding); this keeps what a reviewer
needs and bounds it, so one prompt full of e-mail addresses cannot bloat the log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from warden.schemas.normalized import Segment

__all__ = ["MAX_ITEMS", "FindingsSummary", "summarize_findings"]

MAX_ITEMS = 50


@dataclass(frozen=True, slots=True)
class FindingsSummary:
    count: int
    types: list[str]
    detail: dict[str, Any] | None  # the JSON column; None when nothing was found


def summarize_findings(scan: Any) -> FindingsSummary:
    """From a warden.dlp.types.ScanResult (or None: DLP did not run)."""
    findings = list(getattr(scan, "findings", None) or ())
    if not findings:
        return FindingsSummary(0, [], None)
    counts = Counter(str(getattr(f, "entity_type", "UNKNOWN")) for f in findings)
    items = [
        {
            "type": str(getattr(f, "entity_type", "UNKNOWN")),
            "path": Segment(tuple(getattr(f, "path", ()) or ()), "").path_str(),
            "preview": str(getattr(f, "preview", "")),
            "score": round(float(getattr(f, "score", 0.0)), 3),
            "hash": getattr(f, "value_hash", None),
        }
        for f in findings[:MAX_ITEMS]
    ]
    detail: dict[str, Any] = {"counts": dict(counts), "items": items}
    if len(findings) > MAX_ITEMS:
        detail["items_truncated"] = True
    return FindingsSummary(len(findings), sorted(counts), detail)
