"""What Warden knows about one request as it moves through the stages, typed, on the flow.

Each stage reads what earlier stages found and adds its own part; the record at the end is
written from it. It lives in flow.metadata under one key (mitmproxy's place for addon data,
kept with the flow for its whole life, WebSocket messages included).

    identity        who sent it                              identity.py
    app             the AI app or provider it goes to        classify.py
    request         what it asks                             inspect.py
    findings        what DLP found                           dlp.py
    decision        what the policy said                     policy.py
    reservation     the quota counted for it, until it left  policy.py
    refusal         why it was not forwarded                 refuse.py (any stage)
    redaction       counts of what was replaced              redact.py
    usage           tokens and cost once the answer is done  usage.py
    alert_ids       alerts it raised                         alerts.py
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mitmproxy import http

if TYPE_CHECKING:
    from addons.dlp_websocket import MessageOutcome
    from addons.stream import ResponseFilter
    from warden.alerts.signal import Signal, Subject
    from warden.catalog import CatalogEntry
    from warden.catalog.classify import Classification
    from warden.dlp import ScanResult
    from warden.identity import Identity
    from warden.policy.context import PolicyContext
    from warden.policy.evaluator import Decision
    from warden.policy.quotas import QuotaReservation
    from warden.refusal import Refusal
    from warden.schemas import NormalizedRequest, Segment
    from warden.store.event import AuditEvent
    from warden.usage.meter import ResponseReading
    from warden.usage.model import Usage

__all__ = ["Exchange", "exchange", "exchange_if_any"]

_KEY = "warden"
NOT_COMPUTED: Any = object()  # `sent` before anyone asked what left


@dataclass(eq=False)
class Exchange:
    # Set for Warden's own pages (PAC, CA, health, metrics, coaching): not traffic to a provider.
    internal: str | None = None
    identity: Identity | None = None
    app: CatalogEntry | None = None  # None: not an AI host, nothing below applies
    classification: Classification | None = None
    request: NormalizedRequest | None = None
    target: str | None = None  # the request target as it arrived, before any redaction
    body: bytes | None = None  # the decoded request body, rewritten by redaction
    findings: ScanResult | None = None
    unscanned: str | None = None  # why it was forwarded without a full scan
    policy_context: PolicyContext | None = None
    decision: Decision | None = None
    coach_continue: bool = False  # the request is the coaching page's "continue" form
    coach_header: str | None = None
    reservation: QuotaReservation | None = None
    state: str | None = None  # "local": counted by this instance alone, shared store down
    refusal: Refusal | None = None
    redaction: dict[str, Any] | None = None
    restoring: bool = False  # placeholders are put back in the answer
    sent: list[Segment] | None = NOT_COMPUTED  # what left, after redaction (sent.py)
    response_filters: list[ResponseFilter] = field(default_factory=list)
    reading: ResponseReading | None = None
    usage: Usage | None = None
    alert_subject: Subject | None = None
    alert_detecting: asyncio.Future[list[Signal]] | None = None
    alert_ids: list[str] = field(default_factory=list)
    alert_raising: list[asyncio.Future[list[str]]] = field(default_factory=list)  # ids to come
    journaled: AuditEvent | None = None  # the request's event as journaled before it left
    message: MessageOutcome | None = None  # the WebSocket message being decided
    metrics_counted: bool = False

    @property
    def refused(self) -> bool:
        return self.refusal is not None


def exchange(flow: http.HTTPFlow) -> Exchange:
    """The flow's exchange, created on first use."""
    found = flow.metadata.get(_KEY)
    if found is None:
        found = flow.metadata[_KEY] = Exchange()
    return found  # type: ignore[no-any-return]


def exchange_if_any(flow: http.HTTPFlow) -> Exchange | None:
    return flow.metadata.get(_KEY)
