"""Events and writers for store tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warden.store.event import AuditEvent
from warden.store.writer import StoreWriter, WriterSettings

FAST = WriterSettings(flush_interval_s=0.1, maintenance_interval_s=3600, grace_s=3600)


def request_event(i: int = 0, **overrides: Any) -> AuditEvent:
    fields: dict[str, Any] = {
        "type": "request",
        "id": f"req-{i}",
        "user": f"user{i % 5}",
        "groups": ["staff"],
        "app": "openai",
        "provider": "OpenAI",
        "host": "api.openai.com",
        "model": "gpt-4o-mini",
        "endpoint": "chat",
        "status": 200,
        "action": "allow",
        "decision": {"action": "allow", "rule_id": None, "reason": "default"},
        "input_tokens": 10,
        "output_tokens": 5,
        "cost_usd": 0.00001,
    }
    fields.update(overrides)
    return AuditEvent(**fields)


def started(data_dir: Path, settings: WriterSettings = FAST, **kwargs: Any) -> StoreWriter:
    writer = StoreWriter(data_dir, settings, **kwargs)
    writer.start()
    return writer
