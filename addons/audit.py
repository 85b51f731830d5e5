"""Records every AI request, and every tunnel to an AI host that was not decrypted, in the store.

Events go to warden.store's writer, which batches them off the event loop into Parquet
segments under <data dir>/events/ (see warden/store/writer.py for the guarantees). Readers
use `warden logs`, warden.store.reader or <data dir>/warden.duckdb.

Segments are written in batches, so before an AI request is forwarded (this is the last
stage of the request hook) its event as it stands then goes to the store's request journal,
which survives a kill -9 of the proxy; the final event at the answer or error makes that
record obsolete (warden/store/journal.py). Requests Warden answered itself are not journaled:
they never left.

If the store or the journal cannot be written, Policy.audit.on_store_failure decides: `block`
(default) answers AI requests with a 503 in the provider's own format until it recovers;
`serve` keeps forwarding them and logs an ERROR.

Every answer to an AI request, the provider's or Warden's own (a refusal, a block, a coaching
page), carries the id of the request's event in an `x-warden-event-id` header, so a person can
quote it to whoever reads the audit log. mitmproxy runs `responseheaders` for each of them:
for an answer set in the request phase it runs the hook itself before sending (and so does
interrupt.py for an answer sent before the body is complete), and a streamed answer's headers
leave only after the hook.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from mitmproxy import connection, ctx, http

from addons.dlp_websocket import MessageOutcome
from addons.exchange import exchange
from addons.identity import IdentityAddon
from addons.runtime import RuntimeAddon
from addons.sent import sent_segments
from warden.catalog import CatalogEntry
from warden.dlp.fingerprint import preview
from warden.dlp.messages import message_request
from warden.dlp.types import ScanResult
from warden.identity import Identity
from warden.policy.model import StoreFailure
from warden.refusal import Refusal, Stage
from warden.schemas.envelope import masked_target
from warden.schemas.identifiers import ValueKind, value_kind
from warden.store.capture import bounded, capture
from warden.store.event import AuditEvent, new_event_id
from warden.store.findings import summarize_findings
from warden.store.journal import WEBSOCKET_MESSAGE
from warden.store.lock import StoreLocked
from warden.store.schema import EventType
from warden.store.writer import PurgeListener, StoreWriter, WriterSettings
from warden.usage.meter import ResponseReading

log = logging.getLogger("warden.audit")

STORE_DOWN_CODE = "audit_store_unavailable"
EVENT_ID_HEADER = "x-warden-event-id"


def event_id(flow: http.HTTPFlow) -> str:
    """The id of the event recorded for an AI request (its WebSocket messages get their own)."""
    return flow.id


class AuditAddon:
    def __init__(self, runtime: RuntimeAddon, identity: IdentityAddon | None = None) -> None:
        self._runtime = runtime
        self._identity = identity  # who is behind a tunnel that was not decrypted
        self._writer: StoreWriter | None = None
        self._start_error: str | None = None
        self._purge_listeners: list[PurgeListener] = []

    def writer(self) -> StoreWriter | None:
        return self._writer

    def on_user_purged(self, listener: PurgeListener) -> None:
        """Have `listener(user)` called (on the writer's thread) after a privacy purge."""
        self._purge_listeners.append(listener)

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_audit_flush_ms",
            int,
            800,
            "How often queued audit events are written to disk (ms). With the write itself, "
            "a crash of the proxy loses at most about 1 s of events at this default.",
        )
        loader.add_option(
            "warden_instance",
            str,
            "",
            "This process's name in the audit lake: its events go to events/<name>/. Set by "
            "`warden run --workers` and `--instance`; empty for a single process.",
        )

    def running(self) -> None:
        data_dir = self._runtime.current().config.data_dir
        settings = WriterSettings(
            flush_interval_s=max(ctx.options.warden_audit_flush_ms, 10) / 1000,
            instance=ctx.options.warden_instance,
        )
        writer = StoreWriter(data_dir, settings, retention_days=self._retention_days)
        writer.add_health_listener(self._on_health)
        for listener in self._purge_listeners:
            writer.add_purge_listener(listener)
        try:
            writer.start()
        except StoreLocked as e:
            # Two proxies as one instance would corrupt each other's numbering: refuse to run.
            self._start_error = str(e)
            log.error("%s; stopping", e)
            ctx.master.shutdown()
            return
        self._writer = writer

    def done(self) -> None:
        if self._writer is not None:
            self._writer.close()

    async def request(self, flow: http.HTTPFlow) -> Refusal | None:
        """Journal each AI request that is about to leave; refuse it instead if the store
        cannot record it and the policy says so."""
        x = exchange(flow)
        entry = x.app
        if flow.response or entry is None or x.internal:
            return None
        serve = self._runtime.current().policy.audit.on_store_failure is StoreFailure.SERVE
        problem = self._store_problem()
        if problem is None or serve:
            # Under serve the request leaves anyway: journal it if the journal still works.
            problem = await self._journal(flow, entry) or problem
        if problem is None or serve:
            return None
        message = (
            "Warden cannot record this request in its audit log right now, so it was not "
            "sent. Please try again later or contact your administrator."
        )
        return Refusal(Stage.AUDIT, 503, STORE_DOWN_CODE, problem, message)

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        """Name the request's event in its answer, before the answer's headers leave."""
        x = exchange(flow)
        if flow.response is None or x.app is None or x.internal:
            return
        flow.response.headers[EVENT_ID_HEADER] = event_id(flow)

    async def response(self, flow: http.HTTPFlow) -> None:
        await self._record_flow(flow)

    async def error(self, flow: http.HTTPFlow) -> None:
        await self._record_flow(flow)

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        """A client message DLP had something to say about gets a record of its own: the
        handshake's event was written when the connection opened."""
        x = exchange(flow)
        outcome, x.message = x.message, None
        entry = x.app
        if outcome is None or entry is None or self._writer is None:
            return
        try:
            event = self._message_event(flow, entry, outcome)
        except Exception:
            log.exception("could not build the audit event for a message of flow %s", flow.id)
            return
        if not flow.websocket.messages[-1].dropped:  # type: ignore[union-attr]
            # Before the message leaves, as for requests. A failure makes the writer unhealthy
            # (it logs why, and refuses requests under on_store_failure: block); the event is
            # still queued.
            with contextlib.suppress(OSError):
                self._writer.journal(event)
        self._writer.append(event)

    def _message_event(
        self, flow: http.HTTPFlow, entry: CatalogEntry, outcome: MessageOutcome
    ) -> AuditEvent:
        message = flow.websocket.messages[-1]  # type: ignore[union-attr]
        decided = outcome.decision
        decision = decided.to_dict() if decided else None
        findings = summarize_findings(outcome.scan)
        mode = str(self._runtime.current().policy.audit.capture)
        forwarded = not message.dropped
        sent = outcome.normalized.segments
        if forwarded and outcome.redaction:  # what left is the rewritten message
            try:
                sent = message_request(entry.id, message.content, is_text=message.is_text).segments
            except Exception:
                sent = []
        captured = capture(
            mode,
            original=outcome.normalized.segments,
            sent=sent if forwarded else None,
            response=None,
        )
        event = AuditEvent(
            type=EventType.REQUEST,
            id=new_event_id(),
            client_ip=flow.client_conn.peername[0] if flow.client_conn.peername else None,
            host=flow.request.host,
            method=WEBSOCKET_MESSAGE,
            path=_recorded_target(exchange(flow).target or flow.request.path, None),
            endpoint=str(outcome.normalized.endpoint),
            decrypted=True,
            request_bytes=len(message.content),
            action=decided.action.value if decided else "reject" if outcome.rejected else None,
            rule_id=decided.rule_id if decided else None,
            reason=decided.reason if decided else None,
            blocked=not forwarded,
            decision=decision,
            rejected=outcome.rejected,
            unscanned=outcome.unscanned,
            finding_count=findings.count,
            finding_types=findings.types,
            findings=findings.detail,
            redaction=outcome.redaction,
            capture=mode,
            prompt_text=captured.prompt,
            prompt_truncated=captured.prompt_truncated,
        )
        normalized = exchange(flow).request
        if normalized is not None:
            event.model = _recorded_model(normalized.model, exchange(flow).findings)
        _set_identity(event, exchange(flow).identity)
        _set_app(event, entry)
        return event

    def record_visit(self, client: connection.Client, host: str, entry: CatalogEntry) -> None:
        """A tunnel to an AI host that Warden was told not to decrypt.

        Bytes are not recorded: mitmproxy relays ignored connections without any hook or
        counter, so there is nothing to read them from.
        """
        if self._writer is None:
            return
        identity = self._identity.identity_for(client) if self._identity else None
        event = AuditEvent(
            type=EventType.VISIT,
            id=new_event_id(),
            client_ip=client.peername[0] if client.peername else None,
            host=host,
            decrypted=False,
        )
        _set_identity(event, identity)
        _set_app(event, entry)
        self._writer.append(event)

    # -- internals ---------------------------------------------------------------------

    def _retention_days(self) -> int | None:
        return self._runtime.current().policy.audit.retention_days

    def store_problem(self) -> str | None:
        """What keeps events from being stored right now, or None."""
        return self._store_problem()

    def _store_problem(self) -> str | None:
        if self._writer is None:
            return self._start_error
        return None if self._writer.healthy else (self._writer.error or "store not writable")

    def _on_health(self, healthy: bool, error: str | None) -> None:
        if healthy:
            return
        mode = self._runtime.current().policy.audit.on_store_failure
        if mode is StoreFailure.BLOCK:
            consequence = "AI requests are refused until it recovers"
        elif (error or "").startswith("request journal"):
            consequence = "AI requests are still served, not journaled before they leave"
        else:
            consequence = "AI requests are still served, unrecorded events are kept in memory"
        log.error(
            "audit store cannot be written (%s); %s (on_store_failure: %s)",
            error,
            consequence,
            mode,
        )

    async def _journal(self, flow: http.HTTPFlow, entry: CatalogEntry) -> str | None:
        """Write the request's event to the journal before it leaves; what failed, or None."""
        if self._writer is None:
            return None
        event = await self._event_or_stub(flow, entry)
        try:
            self._writer.journal(event)
        except OSError as e:
            return self._writer.error or str(e)
        # Kept for the final event, which only adds the answer: no second build per request.
        exchange(flow).journaled = event
        return None

    async def _record_flow(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        entry = x.app
        if entry is None or x.internal or self._writer is None:
            return
        journaled, x.journaled = x.journaled, None
        if journaled is not None:
            try:
                self._add_answer(journaled, flow)
                self._writer.append(journaled)
                return
            except Exception:
                log.exception("could not add the answer to the audit event of %s", flow.id)
        self._writer.append(await self._event_or_stub(flow, entry))

    async def _event_or_stub(self, flow: http.HTTPFlow, entry: CatalogEntry) -> AuditEvent:
        try:
            return await self._request_event(flow, entry)
        except Exception:
            log.exception("could not build the audit event for %s", flow.request.url)
            event = AuditEvent(
                type=EventType.REQUEST, id=event_id(flow), host=flow.request.pretty_host
            )
            _set_app(event, entry)
            return event

    async def _request_event(self, flow: http.HTTPFlow, entry: CatalogEntry) -> AuditEvent:
        event = await self._request_part(flow, entry)
        self._add_answer(event, flow)
        return event

    async def _request_part(self, flow: http.HTTPFlow, entry: CatalogEntry) -> AuditEvent:
        """Everything known once the request is decided: what is journaled before it leaves."""
        req, x = flow.request, exchange(flow)
        normalized, decision = x.request, x.decision
        decision_dict: dict[str, Any] | None = decision.to_dict() if decision else None
        if decision_dict is not None and x.state is not None:
            decision_dict["state"] = x.state  # quotas or passes decided without shared state
        rejected = x.refusal.record() if x.refusal else None
        mode = str(self._runtime.current().policy.audit.capture)
        captured = capture(
            mode,
            original=normalized.segments if normalized else None,
            sent=await sent_segments(flow) if mode == "redacted" else None,
            response=None,
        )
        scan = x.findings
        findings = summarize_findings(scan)
        event = AuditEvent(
            type=EventType.REQUEST,
            time=req.timestamp_start,
            id=event_id(flow),
            client_ip=flow.client_conn.peername[0] if flow.client_conn.peername else None,
            host=req.host,  # the Host header's host; pretty_host re-parses it
            method=req.method,
            path=_recorded_target(x.target or req.path, scan),
            endpoint=str(normalized.endpoint) if normalized else None,
            model=_recorded_model(normalized.model, scan) if normalized else None,
            stream=normalized.stream if normalized else None,
            decrypted=True,
            request_bytes=len(req.raw_content or b""),
            action=(decision_dict or {}).get("action") or ("reject" if rejected else None),
            rule_id=(decision_dict or {}).get("rule_id"),
            reason=(decision_dict or {}).get("reason"),
            blocked=bool(rejected or getattr(decision, "blocks", False)),
            quota=(decision_dict or {}).get("quota"),
            decision=decision_dict,
            rejected=rejected,
            unscanned=x.unscanned,
            finding_count=findings.count,
            finding_types=findings.types,
            findings=findings.detail,
            redaction=x.redaction or None,
            capture=mode,
            prompt_text=captured.prompt,
            prompt_truncated=captured.prompt_truncated,
        )
        _set_identity(event, x.identity)
        _set_app(event, entry)
        return event

    def _add_answer(self, event: AuditEvent, flow: http.HTTPFlow) -> None:
        """What the answer (or its absence) adds: status, sizes, times, usage, alerts."""
        req, resp = flow.request, flow.response
        x = exchange(flow)
        reading, usage = x.reading, x.usage
        event.response_model = reading.model if reading else None
        event.status = resp.status_code if resp else None
        event.response_bytes = _response_bytes(resp, reading)
        event.error = flow.error.msg if flow.error else None
        event.alert_ids = [str(a) for a in x.alert_ids]
        if event.capture != "none" and reading is not None and reading.text:
            event.response_text, cut = bounded(reading.text)
            event.response_truncated = bool(cut or reading.text_truncated)
        if resp is not None and resp.timestamp_start and req.timestamp_start:
            event.ttfb_ms = round((resp.timestamp_start - req.timestamp_start) * 1000, 2)
        if resp is not None and resp.timestamp_end and req.timestamp_start:
            event.latency_ms = round((resp.timestamp_end - req.timestamp_start) * 1000, 2)
        if usage is not None:
            event.input_tokens = usage.input_tokens
            event.output_tokens = usage.output_tokens
            event.cached_tokens = usage.cached_tokens
            event.usage_source = usage.source
            event.token_encoding = usage.encoding
            event.cost_usd = usage.cost_usd
            event.price_version = usage.price_version
            event.price_known = usage.cost_usd is not None


def _recorded_target(target: str, scan: ScanResult | None) -> str:
    """The path and query as they arrived, with everything DLP found there masked, whether the
    policy redacted it, blocked the request or let it through, and credential parameters."""
    findings = scan.findings if scan is not None else ()
    return masked_target(target, ((f.path, f.start, f.end, f.entity_type) for f in findings))


def _recorded_model(model: str | None, scan: ScanResult | None = None) -> str | None:
    """The model as named, unless it does not look like a model name or DLP found something
    in it: then only a preview, since a `model` field is as good a place as any for a key."""
    if model is None:
        return None
    found = scan is not None and any(f.path in _MODEL_PATHS for f in scan.findings)
    if not found and value_kind("model", model) is ValueKind.IDENTIFIER:
        return model
    return f"(not a model name: {preview(model)})"


_MODEL_PATHS = (("model",), ("form", "model"))


def _response_bytes(resp: http.Response | None, reading: ResponseReading | None) -> int | None:
    if reading is not None:
        return reading.wire_bytes  # streamed: mitmproxy keeps no copy of the body
    if resp is None:
        return None
    return len(resp.raw_content or b"")


def _set_identity(event: AuditEvent, identity: Identity | None) -> None:
    if identity is None:
        return
    event.user = identity.user
    event.groups = list(identity.groups)
    event.device = identity.device
    event.identity_source = identity.source
    event.client_ip = identity.client_ip or event.client_ip


def _set_app(event: AuditEvent, entry: CatalogEntry) -> None:
    event.provider = entry.vendor
    event.app = entry.id
    event.app_kind = str(entry.kind)
    event.sanctioned = str(entry.sanctioned)
