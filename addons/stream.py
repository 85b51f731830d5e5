"""Streams answers through as they arrive; request bodies stay whole for inspection.

An answer is streamed when holding it back could be noticed: server-sent events and other
streaming types, bodies without a Content-Length (chunked), and large bodies. A small answer
with a Content-Length is delivered in one piece anyway, so it is buffered, which costs the
proxy less CPU per request than streaming it.

Addons that need to see (usage counting) or rewrite (restoring redacted values) the answer
register a filter with add_response_filter() during the request phase (requestheaders or
request hooks). A filter takes a chunk of the body as it travels (still content-encoded) and
returns the bytes to send on; it is called once more with b"" at the end so it can flush
what it held back. Streamed answers pass through the filters chunk by chunk; buffered answers
pass through them in one piece in this addon's `response` hook, which runs before every other
addon's (this addon sits first in the chain), so the others see the filtered result.
"""

from __future__ import annotations

from collections.abc import Callable

from mitmproxy import http

from addons.exchange import exchange

type ResponseFilter = Callable[[bytes], bytes]

BUFFER_LIMIT = 1024 * 1024  # larger answers are streamed even with a Content-Length
_STREAMING_TYPES = (
    "text/event-stream",
    "application/x-ndjson",
    "application/jsonl",
    "application/vnd.amazon.eventstream",  # Bedrock ConverseStream / InvokeWithResponseStream
)


def add_response_filter(flow: http.HTTPFlow, response_filter: ResponseFilter) -> None:
    exchange(flow).response_filters.append(response_filter)


def needs_streaming(response: http.Response) -> bool:
    content_type = response.headers.get("content-type", "").lower()
    if any(kind in content_type for kind in _STREAMING_TYPES):
        return True
    length = response.headers.get("content-length", "")
    return not length.isdigit() or int(length) > BUFFER_LIMIT


class StreamAddon:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is None or not needs_streaming(flow.response):
            return
        filters = exchange(flow).response_filters
        flow.response.stream = _chain(filters) if filters else True
        if filters and "content-length" in flow.response.headers:
            # A filter may change the length (restoring placeholders), so the stated length
            # would cut the answer short: send it chunked instead.
            del flow.response.headers["content-length"]
            if flow.request.http_version.startswith("HTTP/1"):
                flow.response.headers["transfer-encoding"] = "chunked"

    def response(self, flow: http.HTTPFlow) -> None:
        filters = exchange(flow).response_filters
        if not filters or flow.response is None or flow.response.stream:
            return
        body = flow.response.raw_content or b""
        run = _chain(filters)
        filtered = (run(body) if body else b"") + run(b"")
        if filtered != body:
            # raw_content does not touch Content-Length (only .content does): fix it here.
            flow.response.raw_content = filtered
            if "content-length" in flow.response.headers:
                flow.response.headers["content-length"] = str(len(filtered))


def _chain(filters: list[ResponseFilter]) -> ResponseFilter:
    def run(chunk: bytes) -> bytes:
        if chunk:
            for response_filter in filters:
                if not chunk:
                    break  # held back by a filter; b"" would read as end of stream
                chunk = response_filter(chunk)
            return chunk
        # End of stream: each filter first takes what the filters before it flushed,
        # then flushes what it still holds.
        data = b""
        for response_filter in filters:
            if data:
                data = response_filter(data)
            data += response_filter(b"")
        return data

    return run
