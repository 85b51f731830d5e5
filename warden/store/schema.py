"""The audit event table: every column, its DuckDB type and what it means.

This is the one place the columns are declared. The writer stages rows in these types, the
readers' `events` view always exposes all of them (older segments that lack a newer column
read as NULL), and docs/audit-log.md lists them for people writing SQL.

Times are TIMESTAMP in UTC (not TIMESTAMPTZ): DuckDB's Python client needs pytz to return
TIMESTAMPTZ values, and a UTC convention is what every reader here wants anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from warden.store.sql import quoted

__all__ = ["COLUMNS", "COLUMN_NAMES", "Column", "EventType", "empty_events_sql"]


class EventType(StrEnum):
    REQUEST = "request"  # one decrypted AI request
    VISIT = "visit"  # a tunnel to an AI host that was not decrypted
    ADMIN = "admin"  # something done to the store itself: a purge, with who and how many


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # DuckDB type as stored in the Parquet segments
    doc: str

    @property
    def staging_type(self) -> str:
        """How the writer receives the value: JSON arrives as text, time as epoch µs."""
        if self.type == "JSON":
            return "VARCHAR"
        if self.name == "time":
            return "BIGINT"
        return self.type


COLUMNS: tuple[Column, ...] = (
    Column("seq", "BIGINT", "writer-assigned, increasing: the order events were recorded in"),
    Column("time", "TIMESTAMP", "UTC; when the request started (or the visit, or the purge)"),
    Column("type", "VARCHAR", "request | visit | admin"),
    Column("id", "VARCHAR", "request id (the proxy's flow id) or a fresh id for other events"),
    Column("user", "VARCHAR", "who, as identity resolved it ('anonymous' if nobody was named)"),
    Column("groups", "VARCHAR[]", "the user's groups"),
    Column("device", "VARCHAR", "device name or address"),
    Column("identity_source", "VARCHAR", "proxy_auth | header | network | none"),
    Column("client_ip", "VARCHAR", "the client's address as the proxy saw it"),
    Column("provider", "VARCHAR", "the vendor, e.g. OpenAI, Anthropic, Google"),
    Column("app", "VARCHAR", "catalog id, e.g. openai, chatgpt-web"),
    Column("app_kind", "VARCHAR", "api | web_app | assistant"),
    Column("sanctioned", "VARCHAR", "sanctioned | tolerated | unsanctioned (catalog standing)"),
    Column("host", "VARCHAR", "host name the client asked for"),
    Column("method", "VARCHAR", "HTTP method"),
    Column("path", "VARCHAR", "request path and query as sent; what DLP found there masked"),
    Column("endpoint", "VARCHAR", "chat | completion | embedding | image | audio | ..."),
    Column("model", "VARCHAR", "model named in the request"),
    Column("response_model", "VARCHAR", "model the provider says answered (often dated)"),
    Column("stream", "BOOLEAN", "the client asked for a streamed answer"),
    Column("decrypted", "BOOLEAN", "false for visits: the tunnel was not opened"),
    Column("status", "INTEGER", "HTTP status the client got"),
    Column("latency_ms", "DOUBLE", "request start to last response byte"),
    Column("ttfb_ms", "DOUBLE", "request start to first response byte"),
    Column("request_bytes", "BIGINT", "request body bytes sent on (after any redaction)"),
    Column("response_bytes", "BIGINT", "response body bytes as received (still encoded)"),
    Column("action", "VARCHAR", "policy action: allow | monitor | block | redact | ...; reject"),
    Column("rule_id", "VARCHAR", "the rule that decided, NULL for the default action"),
    Column("reason", "VARCHAR", "the decision's reason, as shown to a blocked user"),
    Column("blocked", "BOOLEAN", "Warden answered instead of the provider"),
    Column("quota", "JSON", "quota state from the decision: limits checked, what is left"),
    Column("decision", "JSON", "the whole decision as the policy engine reported it"),
    Column("rejected", "JSON", "why Warden refused the request (stage, status, code, reason)"),
    Column("error", "VARCHAR", "connection error, e.g. the client went away mid-stream"),
    Column("unscanned", "VARCHAR", "DLP failed open: why the request went out unscanned"),
    Column("finding_count", "INTEGER", "number of DLP findings"),
    Column("finding_types", "VARCHAR[]", "distinct entity types found"),
    Column("findings", "JSON", "per type counts and masked previews; never raw values"),
    Column("redaction", "JSON", "what DLP replaced before forwarding"),
    Column("input_tokens", "BIGINT", "prompt tokens, cached ones included"),
    Column("output_tokens", "BIGINT", "completion tokens (reasoning tokens included)"),
    Column("cached_tokens", "BIGINT", "prompt tokens served from the provider's cache"),
    Column("usage_source", "VARCHAR", "provider (its usage fields) | estimated (counted here)"),
    Column("token_encoding", "VARCHAR", "tiktoken encoding used for an estimate"),
    Column("cost_usd", "DOUBLE", "list-price cost; NULL when the model has no price"),
    Column("price_version", "VARCHAR", "version of the price table used"),
    Column("price_known", "BOOLEAN", "false when tokens were used but the model had no price"),
    Column("capture", "VARCHAR", "capture mode in force: none | redacted | full"),
    Column("prompt_text", "VARCHAR", "captured prompt (per capture mode), bounded"),
    Column("prompt_truncated", "BOOLEAN", "prompt_text was cut at the capture limit"),
    Column("response_text", "VARCHAR", "captured answer text, bounded"),
    Column("response_truncated", "BOOLEAN", "response_text was cut at the capture limit"),
    Column("alert_ids", "VARCHAR[]", "alerts raised for this event"),
    Column("actor", "VARCHAR", "admin events: who did it"),
    Column("details", "JSON", "admin events: what was done and how many events it touched"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)


def empty_events_sql() -> str:
    """A zero-row SELECT with every column typed: the shape of `events` when nothing exists."""
    cols = ", ".join(f"CAST(NULL AS {c.type}) AS {quoted(c.name)}" for c in COLUMNS)
    return f"SELECT {cols} WHERE false"
