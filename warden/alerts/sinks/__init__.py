"""Alert sinks, one per module, built from a policy's `alerts.sinks` entries."""

from __future__ import annotations

from warden.alerts.config import (
    EmailSinkConfig,
    SinkConfig,
    SlackSinkConfig,
    SyslogSinkConfig,
    WebhookSinkConfig,
)
from warden.alerts.sinks.base import DeliveryError, Notice, Sink
from warden.alerts.sinks.mail import EmailSink
from warden.alerts.sinks.slack import SlackSink
from warden.alerts.sinks.syslog import SyslogSink
from warden.alerts.sinks.webhook import WebhookSink

__all__ = ["DeliveryError", "Notice", "Sink", "build_sink", "build_sinks"]


def build_sink(name: str, config: SinkConfig) -> Sink:
    if isinstance(config, SlackSinkConfig):
        return SlackSink(name, config)
    if isinstance(config, WebhookSinkConfig):
        return WebhookSink(name, config)
    if isinstance(config, EmailSinkConfig):
        return EmailSink(name, config)
    if isinstance(config, SyslogSinkConfig):
        return SyslogSink(name, config)
    raise TypeError(f"no sink for {type(config).__name__}")  # pragma: no cover


def build_sinks(configs: dict[str, SinkConfig]) -> dict[str, Sink]:
    return {name: build_sink(name, config) for name, config in configs.items()}
