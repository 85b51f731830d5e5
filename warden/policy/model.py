"""The policy file's schema (version 1): rules evaluated top to bottom, first match decides."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warden.yamlfile import load_yaml_model

__all__ = [
    "Action",
    "AuditPolicy",
    "CaptureMode",
    "DlpPolicy",
    "FailMode",
    "Match",
    "Policy",
    "PolicyRule",
    "StoreFailure",
    "load_policy",
]


class Action(StrEnum):
    ALLOW = "allow"
    MONITOR = "monitor"  # allow, and mark the event for review
    BLOCK = "block"


class FailMode(StrEnum):
    CLOSED = "closed"  # a request Warden could not inspect is refused
    OPEN = "open"  # ... or forwarded, recorded as uninspected


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DlpPolicy(_Strict):
    """What DLP looks for in every decrypted request (see warden/dlp)."""

    enabled: bool = True
    # Entity types or groups (SECRETS, PII, ALL) to look for.
    entities: list[str] = Field(default_factory=lambda: ["ALL"])
    # Terms that must never leave (project code names, customer names): found as CUSTOM_TERM.
    deny_list: list[str] = Field(default_factory=list)
    # Values never reported (a public support address, a documented test key).
    allow_list: list[str] = Field(default_factory=list)
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    # A scan taking longer than this fails the request (fail_mode decides what happens then).
    timeout_ms: int = Field(default=2000, gt=0)
    # Names of people, places and organisations via spaCy NER (slower than the patterns).
    ner: bool = True


class CaptureMode(StrEnum):
    NONE = "none"
    REDACTED = "redacted"  # the text that actually left the company
    FULL = "full"


class StoreFailure(StrEnum):
    BLOCK = "block"  # no audit record, no AI request
    SERVE = "serve"  # keep serving, alert


class AuditPolicy(_Strict):
    capture: CaptureMode = CaptureMode.REDACTED
    retention_days: int = Field(default=90, gt=0)
    on_store_failure: StoreFailure = StoreFailure.BLOCK


class Match(_Strict):
    """Every listed condition must hold; an empty list means 'any'."""

    users: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    apps: list[str] = Field(default_factory=list)  # catalog ids: openai, anthropic, chatgpt, ...
    kinds: list[str] = Field(default_factory=list)  # api, web_app, assistant
    hosts: list[str] = Field(default_factory=list)  # globs: "*.openai.azure.com"
    endpoints: list[str] = Field(default_factory=list)  # chat, embedding, ...
    models: list[str] = Field(default_factory=list)  # globs: "gpt-4o*"


class PolicyRule(_Strict):
    id: str
    description: str = ""
    match: Match = Match()
    action: Action
    # Shown to the person whose request was blocked; say why and what to do instead.
    message: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("rule id must not be empty")
        return value


class Policy(_Strict):
    version: int = 1
    name: str = "unnamed"
    default_action: Action = Action.MONITOR
    default_message: str = "This request is not allowed by your organisation's AI policy."
    fail_mode: FailMode = FailMode.CLOSED
    # Hosts to decrypt in addition to the AI catalog (e.g. an internal LLM gateway).
    intercept_hosts: list[str] = Field(default_factory=list)
    rules: list[PolicyRule] = Field(default_factory=list)
    dlp: DlpPolicy = DlpPolicy()
    audit: AuditPolicy = AuditPolicy()
    source: str | None = Field(default=None, exclude=True)

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError("only version 1 of the policy schema exists")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Policy:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return self


def load_policy(path: Path) -> Policy:
    policy = load_yaml_model(path, Policy)
    return policy.model_copy(update={"source": str(path)})
