"""Offline suspicious-prompt detectors, one per module; each returns a Signal or None."""

from __future__ import annotations

from typing import Protocol

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.detectors.injection import InjectionDetector
from warden.alerts.detectors.jailbreak import JailbreakDetector
from warden.alerts.detectors.obfuscation import ObfuscationDetector
from warden.alerts.detectors.paste import PasteDetector
from warden.alerts.detectors.personal_data import PersonalDataDetector
from warden.alerts.detectors.secrets import SecretsDetector
from warden.alerts.detectors.unsanctioned import UnsanctionedAppDetector
from warden.alerts.signal import Signal

__all__ = ["DETECTORS", "Detector", "PromptContext", "run_detectors"]


class Detector(Protocol):
    name: str

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None: ...


DETECTORS: tuple[Detector, ...] = (
    InjectionDetector(),
    JailbreakDetector(),
    ObfuscationDetector(),
    SecretsDetector(),
    PersonalDataDetector(),
    PasteDetector(),
    UnsanctionedAppDetector(),
)


def run_detectors(ctx: PromptContext, settings: DetectorSettings) -> list[Signal]:
    """Every enabled detector's signal for one request. CPU-bound: ~1 ms per 10 KB of text."""
    disabled = set(settings.disabled)
    signals = []
    for detector in DETECTORS:
        if detector.name in disabled:
            continue
        signal = detector.detect(ctx, settings)
        if signal is not None:
            signals.append(signal)
    return signals
