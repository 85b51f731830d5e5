"""DLP for WebSocket messages from clients to AI hosts (OpenAI Realtime, Gemini Live).

Each client-to-server message, text or binary, is read like a request body
(warden/dlp/messages.py) and scanned. The policy is evaluated again for the message with its
findings, because the handshake's decision was made before any content existed: `block` drops
the message and sends the client an error event ({"type": "error", "error": {...}}, the
Realtime API's shape); `redact` rewrites the message before it is forwarded. A message Warden
cannot read (binary data that is neither text, a document nor media) follows the policy's
`dlp.unreadable`, JSON it cannot parse the way the server will is dropped, and a scan that
fails follows fail_mode as for HTTP. Findings and redaction counts add up in the flow's
metadata for the audit record of the connection.
"""

from __future__ import annotations

import json
import logging

from mitmproxy import ctx, http

from addons.dlp import DlpEngine, ScanFailed
from addons.runtime import RuntimeAddon
from warden.dlp.messages import message_request
from warden.dlp.redactor import RedactionError, Unredactable, redact
from warden.dlp.types import ScanResult
from warden.errors import MalformedBody
from warden.identity import Identity
from warden.policy import Action, CompiledPolicy, Decision, compile_policy, evaluate
from warden.policy.facts import build_context
from warden.policy.model import FailMode, Unreadable
from warden.schemas.normalized import NormalizedRequest

__all__ = ["DlpWebSocketAddon"]

log = logging.getLogger("warden.dlp")


class DlpWebSocketAddon:
    def __init__(self, runtime: RuntimeAddon, engine: DlpEngine) -> None:
        self._runtime = runtime
        self._engine = engine
        self._compiled: CompiledPolicy | None = None

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        entry = flow.metadata.get("warden.app")
        if entry is None or flow.websocket is None:
            return
        message = flow.websocket.messages[-1]
        if not message.from_client or message.dropped:
            return
        if not self._runtime.current().policy.dlp.enabled:
            return
        try:
            normalized = message_request(entry.id, message.content, is_text=message.is_text)
        except MalformedBody:
            message.drop()
            log.warning("flow %s: WebSocket message dropped: JSON Warden cannot read", flow.id)
            self._tell_client(flow, "malformed_message", "Warden could not read this message.")
            return
        if normalized.unreadable and not self._unreadable_passes(flow, normalized.unreadable):
            message.drop()
            self._tell_client(
                flow,
                "unreadable_content",
                f"Warden could not read {normalized.unreadable[0]}, so it was not sent.",
            )
            return
        if not normalized.segments and not normalized.other:
            return
        try:
            scan = await self._engine.scan(normalized)
        except ScanFailed as failed:
            if self._runtime.current().policy.fail_mode is FailMode.OPEN:
                flow.metadata["warden.unscanned"] = failed.reason
                log.warning("flow %s: WebSocket message forwarded unscanned", flow.id)
                return
            message.drop()
            self._tell_client(flow, "dlp_unavailable", "Warden could not check this message.")
            return
        if scan is None or not scan.findings:
            return
        _add_findings(flow, scan)
        decision = self._decide(flow, normalized, scan)
        if decision.blocks:
            message.drop()
            log.info("flow %s: WebSocket message blocked (%s)", flow.id, decision.rule_id)
            self._tell_client(flow, "blocked_by_policy", decision.reason)
        elif decision.redactions:
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
                message.drop()
                log.info("flow %s: WebSocket message dropped: %s cannot be redacted", flow.id, e)
                self._tell_client(
                    flow,
                    "cannot_redact",
                    f"This message contains {', '.join(e.types)} Warden cannot remove from "
                    "it, so it was not sent.",
                )
                return
            except RedactionError as e:
                message.drop()
                log.error("flow %s: could not redact a WebSocket message: %s", flow.id, e)
                self._tell_client(flow, "redaction_failed", "Warden could not redact this message.")
                return
            message.content = result.body
            _add_counts(flow, result.counts)

    def _unreadable_passes(self, flow: http.HTTPFlow, what: list[str]) -> bool:
        if self._runtime.current().policy.dlp.unreadable is Unreadable.MONITOR:
            flow.metadata["warden.unscanned"] = f"unreadable: {'; '.join(what[:5])}"
            log.warning("flow %s: WebSocket message forwarded unread", flow.id)
            return True
        log.info("flow %s: WebSocket message dropped: Warden could not read it", flow.id)
        return False

    def _decide(
        self, flow: http.HTTPFlow, normalized: NormalizedRequest, scan: ScanResult
    ) -> Decision:
        policy = self._runtime.current().policy
        if self._compiled is None or self._compiled.policy is not policy:
            self._compiled = compile_policy(policy)
        identity = flow.metadata.get("warden.identity") or Identity("anonymous")
        context = build_context(
            policy,
            identity,
            flow.metadata.get("warden.app"),
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


def _add_findings(flow: http.HTTPFlow, scan: ScanResult) -> None:
    previous: ScanResult | None = flow.metadata.get("warden.findings")
    if previous is None:
        flow.metadata["warden.findings"] = scan
        return
    flow.metadata["warden.findings"] = ScanResult(
        previous.findings + scan.findings,
        previous.scanned_chars + scan.scanned_chars,
        previous.elapsed_ms + scan.elapsed_ms,
        tuple(sorted(set(previous.notes) | set(scan.notes))),
    )


def _add_counts(flow: http.HTTPFlow, counts: dict[str, int]) -> None:
    summary = flow.metadata.setdefault(
        "warden.redaction", {"count": 0, "by_type": {}, "reversible": False}
    )
    for entity, n in counts.items():
        summary["by_type"][entity] = summary["by_type"].get(entity, 0) + n
        summary["count"] += n
