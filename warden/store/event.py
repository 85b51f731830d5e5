"""AuditEvent: one row of the audit log, as the proxy and the CLI hand it to the writer.

Fields mirror warden.store.schema.COLUMNS (a test keeps them in step), except `seq`, which
the writer assigns. JSON columns hold plain Python values here; the writer serialises them
in its own thread so the proxy's event loop never pays for it.
"""

from __future__ import annotations

import json
import time as _time
import uuid
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from warden.store.schema import COLUMNS, EventType

__all__ = ["EVENT_FIELDS", "AuditEvent", "admin_event", "new_event_id"]


@dataclass(slots=True)
class AuditEvent:
    type: str
    time: float = field(default_factory=_time.time)  # epoch seconds
    id: str | None = None
    user: str | None = None
    groups: list[str] = field(default_factory=list)
    device: str | None = None
    identity_source: str | None = None
    client_ip: str | None = None
    provider: str | None = None
    app: str | None = None
    app_kind: str | None = None
    sanctioned: str | None = None
    host: str | None = None
    method: str | None = None
    path: str | None = None
    endpoint: str | None = None
    model: str | None = None
    response_model: str | None = None
    stream: bool | None = None
    decrypted: bool | None = None
    status: int | None = None
    latency_ms: float | None = None
    ttfb_ms: float | None = None
    request_bytes: int | None = None
    response_bytes: int | None = None
    action: str | None = None
    rule_id: str | None = None
    reason: str | None = None
    blocked: bool | None = None
    quota: Any = None
    decision: Any = None
    rejected: Any = None
    error: str | None = None
    unscanned: str | None = None
    finding_count: int | None = None
    finding_types: list[str] = field(default_factory=list)
    findings: Any = None
    redaction: Any = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    usage_source: str | None = None
    token_encoding: str | None = None
    cost_usd: float | None = None
    price_version: str | None = None
    price_known: bool | None = None
    capture: str | None = None
    prompt_text: str | None = None
    prompt_truncated: bool | None = None
    response_text: str | None = None
    response_truncated: bool | None = None
    alert_ids: list[str] = field(default_factory=list)
    actor: str | None = None
    details: Any = None


# Every column but `seq`, in table order.
EVENT_FIELDS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.name != "seq")
_JSON_FIELDS = frozenset(c.name for c in COLUMNS if c.type == "JSON")
_INT_FIELDS = frozenset(c.name for c in COLUMNS if c.type in ("BIGINT", "INTEGER"))
_FLOAT_FIELDS = frozenset(c.name for c in COLUMNS if c.type == "DOUBLE")
_BOOL_FIELDS = frozenset(c.name for c in COLUMNS if c.type == "BOOLEAN")
_LIST_FIELDS = frozenset(c.name for c in COLUMNS if c.type.endswith("[]"))
_TEXT_FIELDS = frozenset(c.name for c in COLUMNS if c.type == "VARCHAR")
_fields_of = attrgetter(*EVENT_FIELDS)
_TIME_INDEX = EVENT_FIELDS.index("time")


def new_event_id() -> str:
    return uuid.uuid4().hex


def admin_event(action: str, actor: str, details: dict[str, Any]) -> AuditEvent:
    """A record of something done to the store itself (a purge), kept like any other event."""
    return AuditEvent(
        type=EventType.ADMIN,
        id=new_event_id(),
        actor=actor,
        action=action,
        details=details,
    )


def to_row(seq: int, event: AuditEvent) -> tuple[Any, ...]:
    """The staging row for one event: values in column order, types the staging table takes."""
    values = list(_fields_of(event))
    values[_TIME_INDEX] = int(values[_TIME_INDEX] * 1_000_000)
    for name in _JSON_FIELDS:
        index = _INDEX[name]
        if values[index] is not None:
            values[index] = _json(values[index])
    return (seq, *values)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, default=str, separators=(",", ":"), allow_nan=False)
    except ValueError:  # NaN or a cycle: still record something rather than lose the row
        return json.dumps(repr(value))


def coerce_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The same row with every value forced to its column's type; for rows the appender refused.

    Rows normally arrive well typed; this is the slow path that keeps one odd value (a str
    where an int belongs, say) from costing the whole batch.
    """
    out: list[Any] = [row[0]]
    for name, value in zip(EVENT_FIELDS, row[1:], strict=True):
        out.append(_coerce(name, value))
    return tuple(out)


def _coerce(name: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        if name == "time" or name in _INT_FIELDS:
            return int(value)
        if name in _FLOAT_FIELDS:
            return float(value)
        if name in _BOOL_FIELDS:
            return bool(value)
        if name in _LIST_FIELDS:
            items = value if isinstance(value, list | tuple) else [value]
            return [_valid_text(str(v)) for v in items]
        if name in _JSON_FIELDS:
            return _valid_json(value if isinstance(value, str) else str(value))
        if name in _TEXT_FIELDS:
            return _valid_text(value if isinstance(value, str) else str(value))
    except (TypeError, ValueError):
        return None
    return value


def _valid_text(text: str) -> str:
    """Text the store accepts: a lone surrogate (a byte that was not UTF-8, read with
    surrogateescape, or a half pair) becomes "?" instead of costing the whole event."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _valid_json(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return json.dumps(_valid_text(text))
    return _valid_text(json.dumps(value, ensure_ascii=False, default=str))


_INDEX = {name: i for i, name in enumerate(EVENT_FIELDS)}
