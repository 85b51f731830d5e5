"""The policy file's schema (version 1): rules evaluated top to bottom, first match decides."""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warden.alerts.config import AlertsConfig
from warden.catalog import AppKind, Category, RiskLevel, Sanction
from warden.dlp.types import RedactionSpec, RedactionStyle
from warden.schemas.normalized import EndpointKind
from warden.yamlfile import load_yaml_model

__all__ = [
    "Action",
    "AlertSpec",
    "AuditPolicy",
    "CaptureMode",
    "DlpMatch",
    "DlpPolicy",
    "FailMode",
    "Match",
    "ModelAccess",
    "Policy",
    "PolicyRule",
    "Quota",
    "QuotaScope",
    "RedactSpec",
    "Severity",
    "StoreFailure",
    "TimeWindow",
    "Unreadable",
    "Unredactable",
    "load_policy",
    "window_seconds",
]


class Action(StrEnum):
    ALLOW = "allow"
    MONITOR = "monitor"  # allow, and mark the event for review
    BLOCK = "block"
    REDACT = "redact"  # replace what DLP found, then forward
    COACH = "coach"  # explain the risk; the person may continue with a justification


class FailMode(StrEnum):
    CLOSED = "closed"  # a request Warden could not inspect is refused
    OPEN = "open"  # ... or forwarded, recorded as uninspected


class Unreadable(StrEnum):
    """What happens to a request carrying a file or payload Warden cannot read."""

    BLOCK = "block"  # refused with 415, naming what could not be read
    MONITOR = "monitor"  # forwarded, recorded as not fully scanned, and alerted on


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
    # A file or payload that is neither media nor readable (binary data, an encrypted PDF).
    unreadable: Unreadable = Unreadable.BLOCK


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


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class TimeWindow(_Strict):
    """Days and hours in a time zone; `from` after `to` spans midnight (22:00 to 06:00)."""

    days: list[str] = Field(default_factory=lambda: list(_DAYS))
    from_: str = Field(default="00:00", alias="from")
    to: str = "24:00"
    timezone: str | None = None  # default: the policy's timezone

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        days = [d.lower()[:3] for d in value]
        for day in days:
            if day not in _DAYS:
                raise ValueError(f"unknown day {day!r}; use mon, tue, wed, thu, fri, sat, sun")
        return days

    @field_validator("from_", "to")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value != "24:00" and not _CLOCK.match(value):
            raise ValueError(f"{value!r} is not a time of day like 09:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            _zone_info(value)
        return value

    def minutes(self) -> tuple[int, int]:
        def parse(clock: str) -> int:
            hours, minutes = clock.split(":")
            return int(hours) * 60 + int(minutes)

        return parse(self.from_), parse(self.to)


class SizeRange(_Strict):
    """An inclusive range; either end may be left open."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _some_bound(self) -> SizeRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self


class DlpMatch(_Strict):
    """Holds when at least `min_count` findings of these types score at least `min_score`."""

    entities: list[str] = Field(default_factory=lambda: ["ALL"])
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    min_count: int = Field(default=1, ge=1)


class Match(_Strict):
    """Every condition given must hold; a condition left out holds for any request."""

    users: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    source_cidrs: list[str] = Field(default_factory=list)
    providers: list[str] = Field(default_factory=list)  # vendors: OpenAI, Anthropic, Google...
    apps: list[str] = Field(default_factory=list)  # catalog ids: openai, chatgpt-web, ...
    kinds: list[str] = Field(default_factory=list)  # api, web_app, assistant
    categories: list[str] = Field(default_factory=list)  # coding, meeting, ... (catalog)
    risk: list[RiskLevel] = Field(default_factory=list)  # low, medium, high, unknown
    hosts: list[str] = Field(default_factory=list)  # globs: "*.openai.azure.com"
    endpoints: list[str] = Field(default_factory=list)  # chat, embedding, ...
    models: list[str] = Field(default_factory=list)  # globs: "gpt-4o*"
    sanctioned: list[Sanction] = Field(default_factory=list)
    time: TimeWindow | None = None
    prompt_tokens: SizeRange | None = None
    prompt_bytes: SizeRange | None = None
    attachments: bool | None = None
    dlp: DlpMatch | None = None

    @field_validator("source_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as e:
                raise ValueError(str(e)) from None
        return value

    @field_validator("endpoints")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        known = {kind.value for kind in EndpointKind}
        for endpoint in value:
            if endpoint not in known:
                raise ValueError(f"unknown endpoint {endpoint!r}; one of {sorted(known)}")
        return value

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        known = {category.value for category in Category}
        for category in value:
            if category not in known:
                raise ValueError(f"unknown app category {category!r}; one of {sorted(known)}")
        return value

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        known = {kind.value for kind in AppKind}
        for kind in value:
            if kind not in known:
                raise ValueError(f"unknown app kind {kind!r}; one of {sorted(known)}")
        return value


class Unredactable(StrEnum):
    """What a redact rule does with a value it cannot rewrite (in a document, a header)."""

    BLOCK = "block"  # refuse the request, naming where the value is
    MONITOR = "monitor"  # forward it; the event records what was left in place


class RedactSpec(_Strict):
    entities: list[str] = Field(default_factory=lambda: ["ALL"])
    style: RedactionStyle = RedactionStyle.MASK
    reversible: bool = False
    unredactable: Unredactable = Unredactable.BLOCK

    @model_validator(mode="after")
    def _reversible_needs_placeholders(self) -> RedactSpec:
        if self.reversible and self.style is not RedactionStyle.PLACEHOLDER:
            raise ValueError("reversible redaction needs style: placeholder")
        return self

    def to_spec(self) -> RedactionSpec:
        return RedactionSpec(
            frozenset(self.entities), self.style, self.reversible, str(self.unredactable)
        )


class AlertSpec(_Strict):
    severity: Severity = Severity.MEDIUM
    # Free text for the analyst; the alert rules of issue 6 decide where it goes.
    title: str | None = None


class PolicyRule(_Strict):
    id: str
    description: str = ""
    match: Match = Match()
    action: Action
    # Shown to the person whose request was blocked or coached; say why and what to do instead.
    message: str | None = None
    redact: list[RedactSpec] = Field(default_factory=list)
    alert: AlertSpec | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("rule id must not be empty")
        return value

    @model_validator(mode="after")
    def _redact_goes_with_action(self) -> PolicyRule:
        if self.action is Action.REDACT and not self.redact:
            raise ValueError("action redact needs a `redact:` list (entities and style)")
        if self.redact and self.action is not Action.REDACT:
            raise ValueError("`redact:` is only used with action: redact")
        return self


class ModelAccess(_Strict):
    """A model allow-list or deny-list for members of some groups ("*": everyone)."""

    groups: list[str] = Field(default_factory=lambda: ["*"])
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    message: str | None = None

    @model_validator(mode="after")
    def _one_list(self) -> ModelAccess:
        if bool(self.allow) == bool(self.deny):
            raise ValueError("give either allow or deny (model globs), not both or neither")
        return self


class QuotaScope(StrEnum):
    USER = "user"  # each user has their own counter
    GROUP = "group"  # each listed group (a team) shares one counter
    EVERYONE = "everyone"  # one counter for the whole organisation


class Quota(_Strict):
    id: str
    scope: QuotaScope = QuotaScope.USER
    # user scope: only members of these groups are limited; group scope: the groups counted.
    groups: list[str] = Field(default_factory=list)
    users: list[str] = Field(default_factory=list)
    requests: int | None = Field(default=None, gt=0)
    tokens: int | None = Field(default=None, gt=0)
    window: str | None = None  # for requests/tokens: 30s, 1m, 1h, 1d
    budget_usd: float | None = Field(default=None, gt=0)
    period: str | None = None  # for budget_usd: day or month (in the policy's timezone)
    message: str | None = None

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            window_seconds(value)
        return value

    @field_validator("period")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None and value not in ("day", "month"):
            raise ValueError("period is day or month")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Quota:
        rate = self.requests is not None or self.tokens is not None
        if rate and self.window is None:
            raise ValueError("requests/tokens limits need a window (e.g. 1m, 1h, 1d)")
        if self.budget_usd is not None and self.period is None:
            raise ValueError("budget_usd needs a period: day or month")
        if not rate and self.budget_usd is None:
            raise ValueError("a quota needs requests, tokens or budget_usd")
        if self.scope is QuotaScope.GROUP and not self.groups:
            raise ValueError("scope group needs the groups it counts")
        return self


class CoachSettings(_Strict):
    # How long "continue" on a coaching page lasts for that user, app and rule.
    pass_minutes: int = Field(default=480, gt=0)


class Policy(_Strict):
    version: int = 1
    name: str = "unnamed"
    description: str = ""
    timezone: str = "UTC"
    default_action: Action = Action.MONITOR
    default_message: str = "This request is not allowed by your organisation's AI policy."
    fail_mode: FailMode = FailMode.CLOSED
    # Hosts to decrypt in addition to the AI catalog (e.g. an internal LLM gateway).
    intercept_hosts: list[str] = Field(default_factory=list)
    # Overrides of the catalog's sanctioned status, by app id.
    sanctioned: dict[str, Sanction] = Field(default_factory=dict)
    models: list[ModelAccess] = Field(default_factory=list)
    rules: list[PolicyRule] = Field(default_factory=list)
    quotas: list[Quota] = Field(default_factory=list)
    coach: CoachSettings = CoachSettings()
    dlp: DlpPolicy = DlpPolicy()
    audit: AuditPolicy = AuditPolicy()
    alerts: AlertsConfig = AlertsConfig()  # alert rules and sinks (warden/alerts/config.py)
    source: str | None = Field(default=None, exclude=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        # `"1"`, `1.0` and `true` would pass as 1; the catalog refuses them, and so do we.
        if type(value) is not int:
            raise ValueError(f"'version: 1' must be a whole number, got {value!r}")
        if value != 1:
            raise ValueError("only version 1 of the policy schema exists")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        _zone_info(value)
        return value

    @field_validator("default_action")
    @classmethod
    def _default(cls, value: Action) -> Action:
        if value in (Action.REDACT, Action.COACH):
            raise ValueError("default_action is allow, monitor or block")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Policy:
        for kind, ids in (
            ("rule", [r.id for r in self.rules]),
            ("quota", [q.id for q in self.quotas]),
        ):
            seen: set[str] = set()
            for item_id in ids:
                if item_id in seen:
                    raise ValueError(f"{kind} id {item_id!r} is used twice")
                seen.add(item_id)
        return self


def window_seconds(text: str) -> int:
    """Parse 30s, 5m, 1h, 1d into seconds."""
    match = re.fullmatch(r"(\d+)\s*([smhd])", text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a window like 30s, 1m, 1h or 1d")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def _zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)"
        ) from None


def load_policy(path: Path) -> Policy:
    policy = load_yaml_model(path, Policy)
    return policy.model_copy(update={"source": str(path)})
