"""What actually left: the request's text segments as forwarded, after any DLP redaction.

Usage estimates and the audit log's redacted capture both need it. Without redaction it is
simply the inspected request's segments; with redaction the forwarded body is read again,
so the answer never depends on how DLP rewrote it. Kept on the exchange.
"""

from __future__ import annotations

import asyncio
import logging

from mitmproxy import http

from addons.exchange import NOT_COMPUTED, exchange
from addons.inspect import INLINE_PARSE_LIMIT
from warden.schemas import parse_request
from warden.schemas.decoding import decode_body
from warden.schemas.normalized import Segment

__all__ = ["forwarded", "sent_segments"]

log = logging.getLogger("warden.usage")

# The forwarded body passed inspection's limit once already; this only guards the re-read.
_MAX_DECODED = 64 * 1024 * 1024


async def sent_segments(flow: http.HTTPFlow) -> list[Segment] | None:
    """The segments that left, or None if nothing left or what left cannot be read."""
    x = exchange(flow)
    if x.sent is not NOT_COMPUTED:
        return x.sent
    x.sent = await _compute(flow)
    return x.sent


async def _compute(flow: http.HTTPFlow) -> list[Segment] | None:
    x = exchange(flow)
    normalized = x.request
    if normalized is None or x.app is None or not forwarded(flow):
        return None
    if not x.redaction:
        return list(normalized.segments)
    raw = flow.request.raw_content or b""
    args = (
        raw,
        flow.request.headers.get("content-encoding"),
        x.app.schema,
        normalized.provider,
        flow.request.method,
        flow.request.path,
        flow.request.headers.get("content-type"),
    )
    try:
        if len(raw) > INLINE_PARSE_LIMIT:
            return await asyncio.to_thread(_reparse, *args)
        return _reparse(*args)
    except Exception:
        # Never fall back to the original text: in redacted mode that would store what DLP
        # removed. Record nothing instead.
        log.warning("could not read the forwarded body of %s again", flow.request.url)
        return None


def forwarded(flow: http.HTTPFlow) -> bool:
    """False when Warden answered itself (blocked, rejected, store down)."""
    x = exchange(flow)
    if x.refusal is not None:
        return False
    return not (x.decision is not None and x.decision.blocks)


def _reparse(
    raw: bytes,
    content_encoding: str | None,
    schema: str,
    provider: str,
    method: str,
    path: str,
    content_type: str | None,
) -> list[Segment]:
    body = decode_body(raw, content_encoding, _MAX_DECODED)
    return list(parse_request(schema, provider, method, path, content_type, body).segments)
