"""Jailbreaks: role-play personas without rules (DAN and successors), "developer mode",
demands never to refuse, requests to switch safeguards off."""

from __future__ import annotations

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.detectors.scoring import plain_scores
from warden.alerts.severity import Severity
from warden.alerts.signal import Signal

__all__ = ["JailbreakDetector"]


class JailbreakDetector:
    name = "jailbreak"

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        scored = plain_scores(ctx, settings)[1]
        if scored.score < settings.prompt_min_score:
            return None
        return Signal(
            self.name,
            scored.score,
            Severity.HIGH if scored.score >= 0.9 else Severity.MEDIUM,
            scored.reasons(),
            title="Jailbreak attempt",
        )
