"""Prompt injection: instruction override, revoked instructions, spoofed system markup,
system-prompt extraction and instructions hidden for an AI reading a document."""

from __future__ import annotations

from warden.alerts.detectors.scoring import PlainScoreDetector

__all__ = ["InjectionDetector"]


class InjectionDetector(PlainScoreDetector):
    name = "prompt_injection"
    title = "Prompt injection attempt"
    index = 0
