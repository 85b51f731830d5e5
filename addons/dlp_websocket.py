"""DLP for WebSocket messages from clients to AI hosts (OpenAI Realtime, Gemini Live).

Each client-to-server message, text or binary, is read like a request body
(warden/dlp/messages.py) and scanned. The policy is evaluated again for the message with its
findings, because the handshake's decision was made before any content existed: `block` drops
the message and sends the client an error event ({"type": "error", "error": {...}}, the
Realtime API's shape); `redact` rewrites the message before it is forwarded. A message Warden
cannot read (binary data that is neither text, a document nor media) follows the policy's
`dlp.unreadable`, JSON it cannot parse the way the server will is dropped, and a scan that
fails follows fail_mode as for HTTP. Each message that leaves also counts against the policy's
quotas as a request with its prompt tokens (over a quota it is dropped with a
`quota_exceeded` error event), so one socket cannot carry what the quotas would refuse.
Findings and redaction counts go on the flow's exchange for the audit record of the message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from mitmproxy import ctx, http
from mitmproxy.websocket import WebSocketMessage

from addons.dlp import DlpEngine, ScanFailed
from addons.exchange import exchange
from addons.inspect import unreadable_passes
from addons.policy import STATE_DOWN_CODE, STATE_DOWN_MESSAGE
from addons.runtime import RuntimeAddon
from warden.catalog import CatalogEntry
from warden.dlp.messages import message_request
from warden.dlp.redactor import RedactionError, Unredactable, redact
from warden.dlp.types import ScanResult
from warden.errors import MalformedBody
from warden.identity import Identity
from warden.policy import Action, CompiledPolicy, Decision, compile_policy, evaluate
from warden.policy.facts import build_context
from warden.policy.model import FailMode
from warden.policy.quotas import QuotaBreach, QuotaEnforcer
from warden.refusal import Refusal, Stage
from warden.schemas.normalized import NormalizedRequest
from warden.state.redis_store import StateUnreachable

__all__ = ["DlpWebSocketAddon", "MessageOutcome"]

log = logging.getLogger("warden.dlp")


@dataclass(slots=True)
class MessageOutcome:
    """What happened to one client message, for its own audit record."""

    normalized: NormalizedRequest
    scan: ScanResult | None = None
    decision: Decision | None = None
    rejected: dict[str, object] | None = None  # Warden dropped it: status, code, reason
    redaction: dict[str, object] | None = None
    unscanned: str | None = None


class DlpWebSocketAddon:
    def __init__(
        self, runtime: RuntimeAddon, engine: DlpEngine, quotas: QuotaEnforcer | None = None
    ) -> None:
        self._runtime = runtime
        self._engine = engine
        self._quotas = quotas  # the policy stage's: messages count in the same windows
        self._compiled: CompiledPolicy | None = None

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        entry = exchange(flow).app
        if entry is None or flow.websocket is None:
            return
        message = flow.websocket.messages[-1]
        if not message.from_client or message.dropped:
            return
        if self._runtime.current().policy.dlp.enabled:
            await self._inspect(flow, entry, message)
        if not message.dropped and self._quotas is not None:
            await self._count(flow, entry, message)

    async def _inspect(
        self, flow: http.HTTPFlow, entry: CatalogEntry, message: WebSocketMessage
    ) -> None:
        try:
            normalized = message_request(entry.id, message.content, is_text=message.is_text)
        except MalformedBody:
            log.warning("flow %s: WebSocket message dropped: JSON Warden cannot read", flow.id)
            empty = message_request(entry.id, b"", is_text=True)
            self._drop(flow, MessageOutcome(empty), Stage.INSPECT, "malformed_message", 400,
                       "Warden could not read this message.")  # fmt: skip
            return
        outcome = MessageOutcome(normalized)
        if normalized.unreadable and not self._unreadable_passes(flow, normalized.unreadable):
            self._drop(
                flow,
                outcome,
                Stage.INSPECT,
                "unreadable_content",
                415,
                f"Warden could not read {normalized.unreadable[0]}, so it was not sent.",
            )
            return
        x = exchange(flow)  # the message's, not the handshake's, once read
        outcome.unscanned, x.unscanned = x.unscanned, None
        if not normalized.segments and not normalized.other:
            self._record(flow, outcome)
            return
        try:
            scan = await self._engine.scan(normalized)
        except ScanFailed as failed:
            if self._runtime.current().policy.fail_mode is FailMode.OPEN:
                outcome.unscanned = failed.reason
                log.warning("flow %s: WebSocket message forwarded unscanned", flow.id)
                self._record(flow, outcome)
                return
            self._drop(
                flow,
                outcome,
                Stage.DLP,
                "dlp_unavailable",
                503,
                "Warden could not check this message.",
            )
            return
        if scan is None or not scan.findings:
            self._record(flow, outcome)
            return
        outcome.scan = scan
        decision = outcome.decision = self._decide(flow, normalized, scan)
        if decision.blocks:
            log.info("flow %s: WebSocket message blocked (%s)", flow.id, decision.rule_id)
            self._drop(
                flow,
                outcome,
                Stage.POLICY,
                "blocked_by_policy",
                403,
                decision.reason,
                refused=False,
            )
            return
        if decision.redactions:
            content_type = "application/json" if normalized.body_format == "json" else None
            try:
                result = redact(
                    message.content,
                    normalized,
                    scan.findings,
                    decision.redactions,
                    content_type=content_type or "text/plain; charset=utf-8",
                )
            except Unredactable as e:
                log.info("flow %s: WebSocket message dropped: %s cannot be redacted", flow.id, e)
                self._drop(
                    flow,
                    outcome,
                    Stage.REDACT,
                    "cannot_redact",
                    403,
                    f"This message contains {', '.join(e.types)} Warden cannot remove from "
                    "it, so it was not sent.",
                )
                return
            except RedactionError as e:
                log.error("flow %s: could not redact a WebSocket message: %s", flow.id, e)
                self._drop(flow, outcome, Stage.REDACT, "redaction_failed", 500,
                           "Warden could not redact this message.")  # fmt: skip
                return
            message.content = result.body
            outcome.redaction = result.summary() if result.count or result.left else None
        self._record(flow, outcome)

    async def _count(
        self, flow: http.HTTPFlow, entry: CatalogEntry, message: WebSocketMessage
    ) -> None:
        """Each message that leaves is a request against the quotas, with its prompt tokens,
        as an HTTP request is: one socket must not carry what the quotas would refuse. Over a
        quota the message is dropped and the client told, as for a refused message."""
        policy = self._runtime.current().policy
        if not policy.quotas or self._quotas is None:
            return
        x = exchange(flow)
        outcome = x.message  # what inspection recorded about this message, if anything
        if outcome is not None:
            normalized = outcome.normalized
        else:
            try:
                normalized = message_request(entry.id, message.content, is_text=message.is_text)
            except MalformedBody:  # DLP is off, so it was not refused: count it, no tokens
                normalized = message_request(entry.id, b"", is_text=True)
        counts_tokens = any(quota.tokens is not None for quota in policy.quotas)
        identity = x.identity or Identity("anonymous")
        host = flow.request.pretty_host
        context = build_context(
            policy, identity, entry, host, normalized, count_prompt_tokens=counts_tokens
        )
        now = datetime.now(UTC)
        # Off the event loop: a shared store across the network may wait up to its timeout,
        # and every connection of the proxy would wait with it.
        try:
            admitted = await asyncio.to_thread(
                self._quotas.admit, policy, context, context.prompt_tokens or 0, now
            )
        except StateUnreachable as e:
            # Fail closed, as an HTTP request does: a message the quotas cannot count stays.
            log.warning("flow %s: WebSocket message dropped: %s", flow.id, e)
            self._drop(
                flow, outcome or MessageOutcome(normalized), Stage.STATE, STATE_DOWN_CODE, 503,
                STATE_DOWN_MESSAGE,
            )  # fmt: skip
            return
        if isinstance(admitted, QuotaBreach):
            log.info("flow %s: WebSocket message dropped: quota %s", flow.id, admitted.quota_id)
            reason = admitted.describe(now)
            self._drop(
                flow, outcome or MessageOutcome(normalized), Stage.QUOTA, "quota_exceeded", 429,
                reason,
            )  # fmt: skip
            return
        admitted.commit()  # nothing after this stage drops a message

    def _drop(
        self,
        flow: http.HTTPFlow,
        outcome: MessageOutcome,
        stage: Stage,
        code: str,
        status: int,
        text: str,
        *,
        refused: bool = True,
    ) -> None:
        """Drop the message, tell the client, and have the audit record say why."""
        flow.websocket.messages[-1].drop()  # type: ignore[union-attr]
        self._tell_client(flow, code, text)
        if refused:  # Warden could not let it through (a policy block is the decision's)
            outcome.rejected = Refusal(stage, status, code, text).record()
        self._record(flow, outcome)

    @staticmethod
    def _record(flow: http.HTTPFlow, outcome: MessageOutcome) -> None:
        """Messages worth a record of their own: dropped, with findings, or not fully scanned.
        The audit addon, whose websocket_message hook runs next, writes it."""
        if outcome.rejected or outcome.scan or outcome.unscanned or outcome.decision:
            exchange(flow).message = outcome

    def _unreadable_passes(self, flow: http.HTTPFlow, what: list[str]) -> bool:
        if unreadable_passes(flow, self._runtime, what):
            return True
        log.info("flow %s: WebSocket message dropped: Warden could not read it", flow.id)
        return False

    def _decide(
        self, flow: http.HTTPFlow, normalized: NormalizedRequest, scan: ScanResult
    ) -> Decision:
        policy = self._runtime.current().policy
        if self._compiled is None or self._compiled.policy is not policy:
            self._compiled = compile_policy(policy)
        identity = exchange(flow).identity or Identity("anonymous")
        context = build_context(
            policy,
            identity,
            exchange(flow).app,
            flow.request.pretty_host,
            normalized,
            scan.findings,
        )
        decision = evaluate(self._compiled, context)
        if decision.action is Action.COACH:  # no page to show inside a socket: let it through
            return Decision(Action.MONITOR, decision.rule_id, decision.reason)
        return decision

    def _tell_client(self, flow: http.HTTPFlow, code: str, message: str) -> None:
        event = {
            "type": "error",
            "error": {"type": "invalid_request_error", "code": code, "message": message},
        }
        ctx.master.commands.call("inject.websocket", flow, True, json.dumps(event).encode(), True)
