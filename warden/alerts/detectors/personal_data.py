"""Heavy personal data: many PII entities in one prompt (a customer list, an HR export).

Alerts show counts per entity type, not previews: a handful of masked emails adds nothing
for the analyst and is still personal data.
"""

from __future__ import annotations

from collections import Counter

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Signal
from warden.dlp.entities import PII_ENTITIES

__all__ = ["PersonalDataDetector"]


class PersonalDataDetector:
    name = "personal_data"

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        found = [
            f
            for f in ctx.findings or ()
            if f.entity_type in PII_ENTITIES and f.score >= settings.pii_min_score
        ]
        distinct = {(f.entity_type, f.value_hash) for f in found}
        threshold = settings.pii_min_entities
        if len(distinct) < threshold:
            return None
        per_type = Counter(kind for kind, _ in distinct)
        # Twice the threshold or more is "heavy" for certain; at the threshold, just over half.
        score = min(1.0, 0.5 + 0.5 * (len(distinct) - threshold) / threshold)
        summary = ", ".join(f"{n} {kind}" for kind, n in per_type.most_common())
        return Signal(
            self.name,
            score,
            Severity.HIGH if len(distinct) >= 4 * threshold else Severity.MEDIUM,
            (Reason("heavy_personal_data", f"{len(distinct)} personal data values: {summary}"),),
            tuple(Evidence(kind, count=n) for kind, n in per_type.most_common()),
            title="Large amount of personal data sent to an AI service",
            metrics={"pii_values": len(distinct)},
        )
