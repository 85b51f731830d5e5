"""Streams every response through as it arrives; request bodies stay whole for inspection."""

from __future__ import annotations

from mitmproxy import http


class StreamAddon:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        # Without this mitmproxy buffers the whole answer, and a streamed chat (SSE) would
        # reach the user only when it is complete.
        if flow.response is not None:
            flow.response.stream = True
