"""Turns the engine's Reply into a mitmproxy response, choosing HTML for browser navigations."""

from __future__ import annotations

from mitmproxy import http

from addons.exchange import exchange
from warden.replies import Reply, wants_html


def to_response(reply: Reply) -> http.Response:
    return http.Response.make(reply.status, reply.body, reply.headers)


def is_browser_navigation(flow: http.HTTPFlow) -> bool:
    headers = flow.request.headers
    return wants_html(headers.get("accept"), headers.get("sec-fetch-dest"))


def schema_of(flow: http.HTTPFlow) -> str:
    entry = exchange(flow).app
    return entry.schema if entry is not None else "generic"
