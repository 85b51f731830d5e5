"""Secrets in a prompt, as DLP found them: one signal listing each distinct credential by its
masked preview and salted hash (the value itself never reaches an alert)."""

from __future__ import annotations

from collections import Counter

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Signal
from warden.dlp.entities import SECRET_ENTITIES
from warden.dlp.types import Finding

__all__ = ["SecretsDetector", "secret_findings"]

MAX_EVIDENCE = 10


def secret_findings(findings: tuple[Finding, ...] | None, min_score: float) -> list[Finding]:
    return [f for f in findings or () if f.entity_type in SECRET_ENTITIES and f.score >= min_score]


class SecretsDetector:
    name = "secret"

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        found = secret_findings(ctx.findings, settings.secret_min_score)
        if not found:
            return None
        # One line per distinct value: a key pasted three times is one key.
        counts = Counter((f.entity_type, f.value_hash) for f in found)
        first: dict[tuple[str, str], Finding] = {}
        for f in found:
            first.setdefault((f.entity_type, f.value_hash), f)
        evidence = tuple(
            Evidence(kind, first[(kind, digest)].preview, digest, n)
            for (kind, digest), n in counts.most_common(MAX_EVIDENCE)
        )
        kinds = sorted({f.entity_type for f in found})
        return Signal(
            self.name,
            max(f.score for f in found),
            Severity.HIGH,
            (Reason("secret_in_prompt", f"credential in the prompt: {', '.join(kinds)}"),),
            evidence,
            title=f"Credential sent to an AI service ({', '.join(kinds)})",
            metrics={"secrets": len(counts)},
        )
