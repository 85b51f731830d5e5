"""Applies the policy decision's redactions to the request body before it is forwarded.

The body is the decoded one inspection kept, so it is forwarded as identity (any
Content-Encoding header is dropped; mitmproxy sets Content-Length). The audit log gets
exchange(flow).redaction: counts per entity type, never values. For reversible
placeholders a restorer joins the response filters (stream.py), which every answer passes
through, streamed or buffered, and the upstream is asked for an uncompressed answer so the
restorer can read it (stream.py fixes the answer's framing when a filter changes its
length). A body that cannot be rewritten is not forwarded (500).
"""

from __future__ import annotations

import asyncio
import logging

from mitmproxy import http

from addons.exchange import exchange
from addons.inspect import INLINE_PARSE_LIMIT
from addons.stream import add_response_filter
from warden.dlp.redactor import Redaction, RedactionError, Unredactable, redact
from warden.dlp.restore import RestoreMap, StreamRestorer
from warden.dlp.restore_sse import SseRestorer
from warden.refusal import Refusal, Stage
from warden.schemas.envelope import rewrite_target

__all__ = ["RedactAddon"]

log = logging.getLogger("warden.dlp")

_JSON_TYPES = ("json", "event-stream")
UNREDACTABLE_CODE = "cannot_redact"


class RedactAddon:
    async def request(self, flow: http.HTTPFlow) -> Refusal | None:
        if flow.response:
            return None
        x = exchange(flow)
        decision, scan, normalized = x.decision, x.findings, x.request
        if decision is None or not decision.redactions or not scan or not scan.findings:
            return None
        if normalized is None:
            return None
        body = x.body or b""
        args = (body, normalized, scan.findings, decision.redactions)
        content_type = flow.request.headers.get("content-type")
        try:
            if len(body) > INLINE_PARSE_LIMIT:
                result = await asyncio.to_thread(redact, *args, content_type=content_type)
            else:
                result = redact(*args, content_type=content_type)
        except Unredactable as e:
            return _cannot_redact(flow, e)
        except RedactionError as e:
            return _failed(flow, str(e))
        if result.count:
            self._apply(flow, result)
        elif result.left:
            x.redaction = result.summary()
        return None

    def _apply(self, flow: http.HTTPFlow, result: Redaction) -> None:
        if result.target_edits:
            flow.request.path = rewrite_target(flow.request.path, result.target_edits)
        x = exchange(flow)
        if result.body != x.body:
            flow.request.headers.pop("content-encoding", None)
            flow.request.content = result.body
            x.body = result.body
        x.redaction = result.summary()
        if result.restore:
            # The restorer reads the answer as it travels, before any decompression.
            flow.request.headers["accept-encoding"] = "identity"
            add_response_filter(flow, _LazyRestorer(flow, result.restore))
            x.restoring = True
        log.info("flow %s: redacted %s", flow.id, result.summary()["by_type"])


def _cannot_redact(flow: http.HTTPFlow, error: Unredactable) -> Refusal:
    # The rule asked for these values to be replaced; where they sit (a file, a document, a
    # header) Warden cannot rewrite them, so the request does not leave at all.
    where = "; ".join(error.places)
    log.info("flow %s: refused, %s cannot be redacted in %s", flow.id, error.types, where)
    message = (
        f"Your request contains {', '.join(error.types)} in {where}. Warden can remove such "
        "data from message text, but not from there, so the request was not sent. Remove it "
        "and try again."
    )
    reason = f"{', '.join(error.types)} in {where} (cannot be redacted there)"
    return Refusal(Stage.REDACT, 403, UNREDACTABLE_CODE, reason, message)


def _failed(flow: http.HTTPFlow, why: str) -> Refusal:
    # RedactionError messages describe the body's structure, never its content.
    log.error("flow %s: could not redact the request body: %s", flow.id, why)
    message = "Warden could not remove sensitive data from this request, so it was not sent."
    return Refusal(Stage.REDACT, 500, "redaction_failed", why, message)


class _LazyRestorer:
    """Builds the restorer on the first chunk, when the answer's Content-Type is known."""

    def __init__(self, flow: http.HTTPFlow, restore: RestoreMap) -> None:
        self._flow = flow
        self._restore = restore
        self._restorer: StreamRestorer | SseRestorer | None = None

    def __repr__(self) -> str:
        return f"<restorer for flow {self._flow.id}>"

    def __call__(self, chunk: bytes) -> bytes:
        if self._restorer is None:
            response = self._flow.response
            headers = response.headers if response else {}
            encoding = headers.get("content-encoding", "identity").lower()
            if encoding not in ("", "identity"):
                # Asked for identity and got compression anyway: placeholders stay as they are.
                log.warning("flow %s: compressed answer, placeholders not restored", self._flow.id)
                self._restorer = StreamRestorer(RestoreMap({}), json_escape=False)
            elif "text/event-stream" in headers.get("content-type", "").lower():
                # Models stream a placeholder token by token, one event each.
                self._restorer = SseRestorer(self._restore)
            else:
                content_type = headers.get("content-type", "").lower()
                json_escape = any(kind in content_type for kind in _JSON_TYPES)
                self._restorer = StreamRestorer(self._restore, json_escape=json_escape)
        return self._restorer(chunk)
