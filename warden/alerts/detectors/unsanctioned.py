"""Use of an AI app the organisation has not sanctioned (catalog status after the policy's
`sanctioned:` overrides). Low severity by itself: a rule decides whether it is news."""

from __future__ import annotations

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.severity import Severity
from warden.alerts.signal import Reason, Signal
from warden.catalog import Sanction

__all__ = ["UnsanctionedAppDetector"]


class UnsanctionedAppDetector:
    name = "unsanctioned_app"

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        if ctx.app is None or ctx.sanctioned is not Sanction.UNSANCTIONED:
            return None
        return Signal(
            self.name,
            1.0,
            Severity.LOW,
            (Reason("unsanctioned_app", f"{ctx.app.name} is not sanctioned"),),
            title=f"Unsanctioned AI app used: {ctx.app.name}",
        )
