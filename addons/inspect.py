"""Reads each AI request into a NormalizedRequest; what cannot be read is not forwarded."""

from __future__ import annotations

import asyncio
import logging

from mitmproxy import http

from addons.exchange import exchange
from addons.runtime import RuntimeAddon
from warden.errors import BodyTooLarge, RequestRejected, UnsupportedBody
from warden.policy.model import Unreadable
from warden.refusal import Refusal, Stage
from warden.schemas import parse_request
from warden.schemas.decoding import decode_body
from warden.schemas.normalized import NormalizedRequest

log = logging.getLogger("warden.inspect")

# Below this size parsing takes microseconds; above it, it goes to a worker thread so the
# event loop keeps serving other flows while a 10 MB paste is read.
INLINE_PARSE_LIMIT = 64 * 1024


class InspectAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime

    def requestheaders(self, flow: http.HTTPFlow) -> Refusal | None:
        if flow.response or exchange(flow).app is None:
            return None
        limit = self._runtime.current().config.max_body_bytes
        declared = flow.request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            # Refuse before reading the body at all.
            return _refusal(BodyTooLarge(_too_large(int(declared), limit)))
        return None

    async def request(self, flow: http.HTTPFlow) -> Refusal | None:
        x = exchange(flow)
        entry = x.app
        if flow.response or entry is None:
            return None
        if x.coach_continue:
            return None  # Warden's own coaching form, answered by the policy addon
        limit = self._runtime.current().config.max_body_bytes
        raw = flow.request.raw_content or b""
        try:
            if len(raw) > limit:
                raise BodyTooLarge(_too_large(len(raw), limit))
            args = (
                raw,
                flow.request.headers.get("content-encoding"),
                limit,
                entry.schema,
                entry.id,
                flow.request.method,
                flow.request.path,
                flow.request.headers.get("content-type"),
                _header_items(flow.request.headers.fields),
            )
            if len(raw) > INLINE_PARSE_LIMIT:
                body, normalized = await asyncio.to_thread(_read, *args)
            else:
                body, normalized = _read(*args)
        except RequestRejected as e:
            return _refusal(e)
        except Exception:
            # Fail closed: a parser bug must not become a way to send data unseen.
            log.exception("could not inspect %s %s", flow.request.method, flow.request.url)
            return _refusal(RequestRejected("Warden could not inspect this request."), 500)
        x.request = normalized
        # The path and query as they arrived, which DLP's findings refer to (redaction may
        # rewrite flow.request.path); the audit log records it with the findings masked.
        x.target = flow.request.path
        # The decoded body, kept for redaction (which rewrites it) and never logged.
        x.body = body
        what = normalized.unreadable
        dlp_on = self._runtime.current().policy.dlp.enabled
        if what and dlp_on and not unreadable_passes(flow, self._runtime, what):
            return _refusal(UnsupportedBody(_cannot_read(what)))
        return None


def _refusal(error: RequestRejected, status: int = 0) -> Refusal:
    return Refusal(Stage.INSPECT, status or error.status, error.code, str(error))


def unreadable_passes(flow: http.HTTPFlow, runtime: RuntimeAddon, what: list[str]) -> bool:
    """The policy's dlp.unreadable for content Warden could not read: True when it may go
    (monitor: on record as not fully scanned, and alerted), False when it must be refused."""
    if runtime.current().policy.dlp.unreadable is Unreadable.MONITOR:
        exchange(flow).unscanned = f"unreadable: {_listed(what)}"
        log.warning("flow %s forwarded with content Warden could not read", flow.id)
        return True
    return False


def _listed(what: list[str]) -> str:
    return "; ".join(what[:5]) + (f" and {len(what) - 5} more" if len(what) > 5 else "")


def _cannot_read(what: list[str]) -> str:
    return (
        f"Warden could not read {_listed(what)}, so it could not check it for secrets and "
        "personal data and the request was not sent. Send it as text or in a common "
        "document format (PDF, Word, Excel, PowerPoint, ZIP), or ask your security team."
    )


def _read(
    raw: bytes,
    content_encoding: str | None,
    limit: int,
    schema: str,
    provider: str,
    method: str,
    path: str,
    content_type: str | None,
    headers: list[tuple[str, str]],
) -> tuple[bytes, NormalizedRequest]:
    body = decode_body(raw, content_encoding, limit)
    return body, parse_request(schema, provider, method, path, content_type, body, headers)


def _header_items(fields: tuple[tuple[bytes, bytes], ...]) -> list[tuple[str, str]]:
    """Header names and values as text; bytes that are not UTF-8 are read as Latin-1."""
    items = []
    for name, value in fields:
        try:
            items.append((name.decode("utf-8"), value.decode("utf-8")))
        except UnicodeDecodeError:
            items.append((name.decode("latin-1"), value.decode("latin-1")))
    return items


def _too_large(size: int, limit: int) -> str:
    return (
        f"Request body is {size:,} bytes; Warden inspects at most {limit:,} bytes. "
        "Send a smaller request or ask your administrator to raise warden_max_body."
    )
