"""The facts about one request that a policy can match on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warden.dlp.types import Finding

__all__ = ["PolicyContext"]


@dataclass(frozen=True, slots=True)
class PolicyContext:
    user: str
    groups: tuple[str, ...] = ()
    client_ip: str | None = None
    app: str | None = None  # catalog id
    vendor: str | None = None  # "OpenAI", "Anthropic", ...
    kind: str | None = None  # api, web_app, assistant
    category: str | None = None  # coding, meeting, ... (catalog)
    risk: str | None = None  # the catalog's rating: low, medium, high, unknown
    sanctioned: str | None = None  # after the policy's overrides
    host: str | None = None
    endpoint: str | None = None
    model: str | None = None
    prompt_tokens: int | None = None  # None when no rule or quota needs it
    prompt_bytes: int = 0
    attachments: int = 0
    findings: tuple[Finding, ...] = ()
    now: datetime | None = None  # injected by tests; the wall clock otherwise
