"""The `alerts:` section of a policy file: sinks, rules, detector and behaviour settings.

    alerts:
      sinks:
        soc-slack: {type: slack, webhook_url_env: WARDEN_SLACK_URL}
        siem: {type: syslog, host: siem.corp, port: 6514, protocol: tcp, format: cef}
      rules:
        - id: leaked-secret
          when: {detectors: [secret, secret_burst]}
          severity: high
          sinks: [soc-slack, siem]
          dedupe_key: "{rule}:{user}:{detector}"
          throttle: 10m

Secrets (an HMAC key, an SMTP password) are never written in the file: the file names the
environment variable that holds them, read when an alert is sent.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warden.alerts.severity import Severity
from warden.alerts.signal import DETECTOR_NAMES, Category, Subject

__all__ = [
    "TEMPLATE_FIELDS",
    "AlertCondition",
    "AlertRule",
    "AlertsConfig",
    "BehaviourSettings",
    "DeliverySettings",
    "DetectorSettings",
    "EmailSinkConfig",
    "SinkConfig",
    "SlackSinkConfig",
    "SyslogSinkConfig",
    "WebhookSinkConfig",
    "duration_seconds",
]

# Placeholders a dedupe key or a title may use.
TEMPLATE_FIELDS = frozenset(
    {"rule", "detector", "severity", "category", *Subject().field_values().keys()}
)
SYSLOG_FACILITIES = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6,
    "news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13,
    "console": 14, "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20,
    "local5": 21, "local6": 22, "local7": 23,
}  # fmt: skip
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SINK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def duration_seconds(text: str) -> float:
    """Parse 500ms, 30s, 10m, 2h, 1d."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", text.strip())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration like 30s, 10m, 2h or 1d")
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return float(match.group(1)) * unit


def _check_duration(value: str) -> str:
    duration_seconds(value)
    return value


def _check_env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not an environment variable name")
    return value


def _check_template(value: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as e:
        raise ValueError(f"bad template {value!r}: {e}") from None
    unknown = names - TEMPLATE_FIELDS
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{sorted(unknown)[0]}}}; use {sorted(TEMPLATE_FIELDS)}"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- sinks -------------------------------------------------------------------------------


class SlackSinkConfig(_Strict):
    """A Slack (or Mattermost, Teams-compatible) incoming webhook."""

    type: Literal["slack"]
    # The URL itself is a credential: prefer webhook_url_env in shared policy files.
    webhook_url: str | None = None
    webhook_url_env: str | None = None
    proxy: str | None = None  # an HTTP proxy to reach the internet, if the host needs one
    timeout_s: float = Field(default=10.0, gt=0, le=120)

    _env = field_validator("webhook_url_env")(_check_env_name)

    @model_validator(mode="after")
    def _one_url(self) -> SlackSinkConfig:
        if (self.webhook_url is None) == (self.webhook_url_env is None):
            raise ValueError("give webhook_url or webhook_url_env (one of them)")
        return self


class WebhookSinkConfig(_Strict):
    """Any HTTPS endpoint; the body is signed with HMAC-SHA256 when secret_env is set."""

    type: Literal["webhook"]
    url: str
    secret_env: str | None = None  # name of the environment variable holding the HMAC key
    headers: dict[str, str] = Field(default_factory=dict)
    ca_file: str | None = None  # trust this CA bundle instead of the system's
    proxy: str | None = None
    timeout_s: float = Field(default=10.0, gt=0, le=120)

    _env = field_validator("secret_env")(_check_env_name)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("url must start with https:// (or http:// for a local receiver)")
        return value


class EmailSinkConfig(_Strict):
    type: Literal["email"]
    host: str
    port: int = Field(default=587, gt=0, lt=65536)
    starttls: bool = True  # upgrade with STARTTLS before authenticating (port 587)
    ssl: bool = False  # implicit TLS from the first byte (port 465)
    username: str | None = None
    password_env: str | None = None
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[Warden]"
    ca_file: str | None = None
    timeout_s: float = Field(default=20.0, gt=0, le=120)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _env = field_validator("password_env")(_check_env_name)

    @model_validator(mode="after")
    def _consistent(self) -> EmailSinkConfig:
        if self.ssl and self.starttls:
            raise ValueError("use ssl (implicit TLS, port 465) or starttls (port 587), not both")
        if self.password_env and not self.username:
            raise ValueError("password_env needs a username")
        return self


class SyslogSinkConfig(_Strict):
    """RFC 5424 syslog over UDP or TCP (octet-counted frames), CEF or JSON inside."""

    type: Literal["syslog"]
    host: str
    port: int = Field(default=514, gt=0, lt=65536)
    protocol: Literal["udp", "tcp"] = "udp"
    format: Literal["cef", "json"] = "cef"
    facility: str = "local0"
    app_name: str = "warden"
    timeout_s: float = Field(default=5.0, gt=0, le=60)

    @field_validator("facility")
    @classmethod
    def _facility(cls, value: str) -> str:
        if value.lower() not in SYSLOG_FACILITIES:
            raise ValueError(f"unknown facility {value!r}; one of {sorted(SYSLOG_FACILITIES)}")
        return value.lower()

    @property
    def facility_code(self) -> int:
        return SYSLOG_FACILITIES[self.facility]


type SinkConfig = Annotated[
    SlackSinkConfig | WebhookSinkConfig | EmailSinkConfig | SyslogSinkConfig,
    Field(discriminator="type"),
]


# ---- rules -------------------------------------------------------------------------------


class AlertCondition(_Strict):
    """Every condition given must hold for a signal; one left out holds for any signal."""

    detectors: list[str] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)  # prompt, behaviour, policy, system
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    min_severity: Severity | None = None  # the signal's own severity, before any override
    users: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    apps: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)  # the policy decision: block, allow, ...

    @field_validator("detectors")
    @classmethod
    def _detectors(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in DETECTOR_NAMES:
                raise ValueError(f"unknown detector {name!r}; one of {sorted(DETECTOR_NAMES)}")
        return value


class AlertRule(_Strict):
    id: str
    description: str = ""
    enabled: bool = True
    when: AlertCondition = AlertCondition()
    severity: Severity | None = None  # default: the signal's own severity
    title: str | None = None  # a template, e.g. "{detector} by {user} on {app_name}"
    sinks: list[str] = Field(default_factory=list)  # names from alerts.sinks; none: stored only
    # Signals with the same key inside one throttle window are one alert with a count. The
    # app is in the default so that two new apps, or keys leaked to two services, stay apart.
    dedupe_key: str = "{rule}:{user}:{detector}:{app}"
    throttle: str = "10m"
    # When the window closes after repeats, send one follow-up saying how many there were.
    summary: bool = True

    _throttle = field_validator("throttle")(_check_duration)
    _templates = field_validator("dedupe_key", "title")(
        lambda v: v if v is None else _check_template(v)
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("rule id must not be empty")
        return value

    @property
    def throttle_s(self) -> float:
        return duration_seconds(self.throttle)


# ---- detector and behaviour settings ---------------------------------------------------


class DetectorSettings(_Strict):
    disabled: list[str] = Field(default_factory=list)  # detector names not to run
    # Injection, jailbreak and obfuscation detectors report at or above this score.
    prompt_min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    # Only the last this-many characters of user text are read (the newest turn matters most).
    max_scan_chars: int = Field(default=64 * 1024, gt=0)
    secret_min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    pii_min_entities: int = Field(default=5, ge=1)
    pii_min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    paste_code_min_chars: int = Field(default=4000, gt=0)
    paste_code_min_ratio: float = Field(default=0.35, gt=0.0, le=1.0)
    paste_text_min_chars: int = Field(default=20000, gt=0)

    @field_validator("disabled")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in DETECTOR_NAMES:
                raise ValueError(f"unknown detector {name!r}; one of {sorted(DETECTOR_NAMES)}")
        return value


class CountWindow(_Strict):
    count: int = Field(ge=1)
    window: str = "10m"

    _window = field_validator("window")(_check_duration)

    @property
    def window_s(self) -> float:
        return duration_seconds(self.window)


class UsageSpike(_Strict):
    """A request whose tokens (or cost) exceed `factor` times the user's own moving average."""

    factor: float = Field(default=5.0, gt=1.0)
    min_tokens: int = Field(default=5000, ge=0)  # never alert below this many tokens
    min_cost_usd: float = Field(default=0.5, ge=0.0)
    min_samples: int = Field(default=10, ge=1)  # requests seen before the baseline counts
    alpha: float = Field(default=0.1, gt=0.0, le=1.0)  # EWMA weight of the newest request


class NewApp(_Strict):
    enabled: bool = True
    # The first sightings after Warden starts on a fresh data directory are the existing
    # landscape, not news: learn quietly for this long.
    learning: str = "1d"

    _learning = field_validator("learning")(lambda v: v if v in ("0", "0s") else _check_duration(v))

    @property
    def learning_s(self) -> float:
        return 0.0 if self.learning in ("0", "0s") else duration_seconds(self.learning)


class BehaviourSettings(_Strict):
    repeated_blocks: CountWindow = CountWindow(count=5, window="10m")
    secret_burst: CountWindow = CountWindow(count=3, window="10m")
    usage_spike: UsageSpike = UsageSpike()
    new_app: NewApp = NewApp()
    max_tracked: int = Field(default=50_000, gt=0)  # users/devices kept in memory


class DeliverySettings(_Strict):
    # Retried until delivered or `max_age` after the alert (a receiver down over a weekend
    # night still gets it); max_attempts, when set, gives up sooner.
    max_age: str = "24h"
    max_attempts: int | None = Field(default=None, ge=1, le=10_000)
    backoff: str = "2s"  # first retry after this, doubling each time ...
    max_backoff: str = "5m"  # ... up to this
    workers: int = Field(default=2, ge=1, le=16)  # per sink: a slow sink holds only its own
    max_pending: int = Field(default=10_000, gt=0)  # per sink, waiting in the state store

    _durations = field_validator("backoff", "max_backoff", "max_age")(_check_duration)

    @property
    def backoff_s(self) -> float:
        return duration_seconds(self.backoff)

    @property
    def max_backoff_s(self) -> float:
        return duration_seconds(self.max_backoff)

    @property
    def max_age_s(self) -> float:
        return duration_seconds(self.max_age)


class AlertsConfig(_Strict):
    enabled: bool = True
    # Alerts are the security record, kept longer than the raw events by default (the audit
    # log's 90 days); set it to audit.retention_days to drop both together.
    retention_days: int = Field(default=365, gt=0)
    sinks: dict[str, SinkConfig] = Field(default_factory=dict)
    # No rules: every signal of medium severity or more is stored (no sinks), see DEFAULT_RULE.
    rules: list[AlertRule] = Field(default_factory=list)
    detectors: DetectorSettings = DetectorSettings()
    behaviour: BehaviourSettings = BehaviourSettings()
    delivery: DeliverySettings = DeliverySettings()

    @field_validator("sinks")
    @classmethod
    def _sink_names(cls, value: dict[str, SinkConfig]) -> dict[str, SinkConfig]:
        for name in value:
            if not _SINK_NAME.match(name):
                raise ValueError(f"sink name {name!r}: letters, digits, '.', '_' or '-'")
        return value

    @model_validator(mode="after")
    def _references(self) -> AlertsConfig:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"alert rule id {rule.id!r} is used twice")
            seen.add(rule.id)
            for sink in rule.sinks:
                if sink not in self.sinks:
                    known = ", ".join(sorted(self.sinks)) or "none defined"
                    raise ValueError(
                        f"alert rule {rule.id!r} names sink {sink!r}, which alerts.sinks "
                        f"does not define ({known})"
                    )
        return self

    def active_rules(self) -> list[AlertRule]:
        rules = [rule for rule in self.rules if rule.enabled]
        return rules if self.rules else [DEFAULT_RULE]


DEFAULT_RULE = AlertRule(
    id="default",
    description="Store every signal of medium severity or more for the dashboard.",
    when=AlertCondition(min_severity=Severity.MEDIUM),
)
