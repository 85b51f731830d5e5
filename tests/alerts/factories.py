"""Alerts and findings for tests, built the way the proxy builds them."""

from __future__ import annotations

import time

from warden.alerts.alert import Alert
from warden.alerts.config import AlertsConfig
from warden.alerts.detectors.context import PromptContext
from warden.alerts.detectors.secrets import SecretsDetector
from warden.alerts.engine import AlertEngine
from warden.alerts.signal import Signal, Subject
from warden.dlp.fingerprint import Fingerprinter, preview
from warden.dlp.types import Finding
from warden.schemas.normalized import Segment

# Format-valid but fake: never a real credential. Assembled so that no scanner flags
# this file itself.
FAKE_OPENAI_KEY = "sk-proj-" + "T3stOnlyN0tARealKey" + "x9Qa" * 8 + "LeakMe42"
FAKE_EMAIL = "jane.doe.test@example.com"

_FINGERPRINT = Fingerprinter(b"test-salt")


def finding(value: str, entity_type: str = "OPENAI_API_KEY", score: float = 0.95) -> Finding:
    """A finding as DLP reports it: salted hash and masked preview, never the value."""
    return Finding(
        entity_type,
        ("messages", 0, "content"),
        0,
        len(value),
        score,
        _FINGERPRINT.hash(value),
        preview(value),
    )


def prompt(text: str, *findings: Finding) -> PromptContext:
    return PromptContext(
        (Segment(("messages", 0, "content"), text, "user"),), tuple(findings) if findings else ()
    )


def secret_signal(value: str = FAKE_OPENAI_KEY) -> Signal:
    from warden.alerts.config import DetectorSettings

    signal = SecretsDetector().detect(prompt("key: " + value, finding(value)), DetectorSettings())
    assert signal is not None
    return signal


def secret_alert(value: str = FAKE_OPENAI_KEY, user: str = "alice") -> Alert:
    engine = AlertEngine(AlertsConfig(), clock=time.time)
    subject = Subject(
        user=user,
        groups=("engineering",),
        device="laptop-17",
        client_ip="10.1.2.3",
        app="openai",
        app_name="OpenAI API",
        host="api.openai.com",
        model="gpt-4o-mini",
        event_id="flow-1",
        action="block",
        rule_id="no-secrets",
    )
    [occurrence] = engine.process([secret_signal(value)], subject)
    return occurrence.alert
