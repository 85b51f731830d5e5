"""Reads each AI request into a NormalizedRequest; what cannot be read is not forwarded."""

from __future__ import annotations

import asyncio
import logging

from mitmproxy import http

from addons.replies import is_browser_navigation, schema_of, to_response
from addons.runtime import RuntimeAddon
from warden.errors import BodyTooLarge, RequestRejected
from warden.replies import error_reply
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

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or "warden.app" not in flow.metadata:
            return
        limit = self._runtime.current().config.max_body_bytes
        declared = flow.request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            # Refuse before reading the body at all.
            self._reject(flow, BodyTooLarge(_too_large(int(declared), limit)))

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or "warden.app" not in flow.metadata:
            return
        if flow.metadata.get("warden.coach_continue"):
            return  # Warden's own coaching form, answered by the policy addon
        entry = flow.metadata["warden.app"]
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
            )
            if len(raw) > INLINE_PARSE_LIMIT:
                body, normalized = await asyncio.to_thread(_read, *args)
            else:
                body, normalized = _read(*args)
        except RequestRejected as e:
            self._reject(flow, e)
            return
        except Exception:
            # Fail closed: a parser bug must not become a way to send data unseen.
            log.exception("could not inspect %s %s", flow.request.method, flow.request.url)
            self._reject(flow, RequestRejected("Warden could not inspect this request."), 500)
            return
        flow.metadata["warden.request"] = normalized
        # The decoded body, kept for redaction (which rewrites it) and never logged.
        flow.metadata["warden.body"] = body

    def _reject(self, flow: http.HTTPFlow, error: RequestRejected, status: int = 0) -> None:
        status = status or error.status
        log.warning(
            "rejected %s %s%s: %s",
            flow.request.method,
            flow.request.host,
            flow.request.path.split("?", 1)[0],
            error,
        )
        flow.metadata["warden.rejected"] = {
            "status": status,
            "code": error.code,
            "reason": str(error),
        }
        reply = error_reply(
            schema_of(flow), status, str(error), error.code, html_page=is_browser_navigation(flow)
        )
        flow.response = to_response(reply)


def _read(
    raw: bytes,
    content_encoding: str | None,
    limit: int,
    schema: str,
    provider: str,
    method: str,
    path: str,
    content_type: str | None,
) -> tuple[bytes, NormalizedRequest]:
    body = decode_body(raw, content_encoding, limit)
    return body, parse_request(schema, provider, method, path, content_type, body)


def _too_large(size: int, limit: int) -> str:
    return (
        f"Request body is {size:,} bytes; Warden inspects at most {limit:,} bytes. "
        "Send a smaller request or ask your administrator to raise warden_max_body."
    )
