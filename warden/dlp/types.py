"""What DLP hands to the rest of Warden: findings without raw values, and how to redact."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from warden.schemas.normalized import JsonPath, render_path

__all__ = ["Finding", "RedactionSpec", "RedactionStyle", "ScanResult"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One sensitive value found in one segment. Never holds the value itself."""

    entity_type: str  # e.g. "OPENAI_API_KEY", "EMAIL_ADDRESS", "PERSON"
    path: JsonPath  # the segment it was found in
    start: int  # offsets into that segment's text
    end: int
    score: float
    value_hash: str  # salted hash: the same value gives the same hash within one deployment
    preview: str  # masked, e.g. "sk-pr...9aB"
    recognizer: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_type": self.entity_type,
            "path": render_path(self.path),
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 3),
            "value_hash": self.value_hash,
            "preview": self.preview,
            "recognizer": self.recognizer,
        }


@dataclass(frozen=True, slots=True)
class ScanResult:
    findings: tuple[Finding, ...] = ()
    scanned_chars: int = 0
    elapsed_ms: float = 0.0
    # Limits the scan ran into, e.g. "ner_truncated": names were not searched in all the text.
    notes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Findings per entity type."""
        out: dict[str, int] = {}
        for finding in self.findings:
            out[finding.entity_type] = out.get(finding.entity_type, 0) + 1
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "counts": self.counts(),
            "scanned_chars": self.scanned_chars,
            "elapsed_ms": round(self.elapsed_ms, 2),
            "notes": list(self.notes),
        }


class RedactionStyle(StrEnum):
    MASK = "mask"  # [REDACTED:OPENAI_API_KEY]
    PLACEHOLDER = "placeholder"  # <EMAIL_1>, consistent within one request


@dataclass(frozen=True, slots=True)
class RedactionSpec:
    """Which entity types to replace, and how. Entity names may be groups (SECRETS, PII)."""

    entities: frozenset[str] = field(default_factory=lambda: frozenset({"ALL"}))
    style: RedactionStyle = RedactionStyle.MASK
    # Restore the original values in the answer on its way back (placeholders only).
    reversible: bool = False
    # Where a value cannot be rewritten (inside a document or a file in another encoding, a
    # header): "block" refuses the request, "monitor" forwards it with the value on record.
    unredactable: str = "block"
