"""Jailbreaks: role-play personas without rules (DAN and successors), "developer mode",
demands never to refuse, requests to switch safeguards off."""

from __future__ import annotations

from warden.alerts.detectors.scoring import PlainScoreDetector

__all__ = ["JailbreakDetector"]


class JailbreakDetector(PlainScoreDetector):
    name = "jailbreak"
    title = "Jailbreak attempt"
    index = 1
