"""Prompt injection: instruction override, revoked instructions, spoofed system markup,
system-prompt extraction and instructions hidden for an AI reading a document."""

from __future__ import annotations

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.detectors.scoring import plain_scores
from warden.alerts.severity import Severity
from warden.alerts.signal import Signal

__all__ = ["InjectionDetector"]


class InjectionDetector:
    name = "prompt_injection"

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        scored = plain_scores(ctx, settings)[0]
        if scored.score < settings.prompt_min_score:
            return None
        return Signal(
            self.name,
            scored.score,
            Severity.HIGH if scored.score >= 0.9 else Severity.MEDIUM,
            scored.reasons(),
            title="Prompt injection attempt",
        )
