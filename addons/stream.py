"""Streams every response through as it arrives; request bodies stay whole for inspection.

Other addons that need to see (usage counting) or rewrite (restoring redacted values) the
answer append a filter to flow.metadata["warden.response_filters"] before response headers
arrive. A filter takes a chunk and returns the bytes to send on; it is called once more
with b"" at the end of the stream so it can flush anything it held back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from mitmproxy import http

log = logging.getLogger("warden.stream")

type ResponseFilter = Callable[[bytes], bytes]

FILTERS_KEY = "warden.response_filters"


def add_response_filter(flow: http.HTTPFlow, response_filter: ResponseFilter) -> None:
    flow.metadata.setdefault(FILTERS_KEY, []).append(response_filter)


class StreamAddon:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is None:
            return
        filters: list[ResponseFilter] = flow.metadata.get(FILTERS_KEY, [])
        # Without streaming mitmproxy buffers the whole answer, and a streamed chat (SSE)
        # would reach the user only when it is complete.
        flow.response.stream = _chain(filters) if filters else True


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
