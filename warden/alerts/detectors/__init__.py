"""Offline suspicious-prompt detectors, one per module; each returns a Signal or None."""

from __future__ import annotations

from collections.abc import Collection
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
from warden.schemas.normalized import Segment

__all__ = [
    "DETECTORS",
    "TEXT_DETECTOR_NAMES",
    "Detector",
    "PromptContext",
    "run_detectors",
    "text_context",
]


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


# The detectors that read nothing but the user's text, and nearly all the CPU detection
# costs (~0.6 µs per character): these may run in the detection worker (alerts/worker.py).
# The others need DLP findings or the app, and take a microsecond.
TEXT_DETECTOR_NAMES = frozenset({"prompt_injection", "jailbreak", "obfuscated_payload"})


def text_context(text: str) -> PromptContext:
    """A context holding only user text, as the text detectors see it."""
    return PromptContext((Segment((), text, "user"),))


def run_detectors(
    ctx: PromptContext, settings: DetectorSettings, names: Collection[str] | None = None
) -> list[Signal]:
    """Every enabled detector's signal for one request (or those in `names`)."""
    disabled = set(settings.disabled)
    signals = []
    for detector in DETECTORS:
        if detector.name in disabled or (names is not None and detector.name not in names):
            continue
        signal = detector.detect(ctx, settings)
        if signal is not None:
            signals.append(signal)
    return signals
