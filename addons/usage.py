"""Counts each AI answer's tokens and cost as it goes past, and leaves a Usage on the flow.

A ResponseMeter reads a decoded copy of the answer through StreamAddon's filter chain;
every byte passes on unchanged and undelayed. When the answer ends (the filters' final b""
call, which comes before any addon's `response` hook, streamed or buffered) the reading
becomes the exchange's usage: provider-reported, or estimated with tiktoken over a
bounded sample (a few ms at most), priced from the price table. Quota accounting in any
addon's `response` hook therefore finds it, wherever that addon sits in the chain.

The price table (shipped, plus the `warden_prices` override file) is one of the runtime's
watched data files: re-read within a second of a change, a broken edit keeps the last good
table and /healthz names `prices`.
"""

from __future__ import annotations

import logging

from mitmproxy import http

from addons.exchange import NOT_COMPUTED, exchange
from addons.headers import lowered
from addons.runtime import RuntimeAddon
from addons.sent import forwarded
from warden.usage.estimate import priced, resolve_usage
from warden.usage.meter import ResponseMeter, ResponseReading
from warden.usage.prices import PriceTable

log = logging.getLogger("warden.usage")


class UsageAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime

    def prices(self) -> PriceTable:
        # Watched and reloaded with the other data files (warden/runtime.py).
        return self._runtime.current().prices

    def request(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        if flow.response or x.request is None:
            return
        # First in the chain, ahead of any filter that rewrites the answer (DLP restoring
        # redacted values): usage and the captured answer are what the provider sent.
        x.response_filters.insert(0, _Observer(self, flow))

    def response(self, flow: http.HTTPFlow) -> None:
        self._settle(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._settle(flow)  # the answer broke off: count what came

    def settle(self, flow: http.HTTPFlow, reading: ResponseReading) -> None:
        """Turn the finished reading into the exchange's usage."""
        x = exchange(flow)
        x.reading = reading
        normalized = x.request
        if normalized is None:
            return
        sent = x.sent if x.sent is not NOT_COMPUTED else None
        texts = [s.text for s in (sent if sent is not None else normalized.segments)]
        usage = resolve_usage(
            reading,
            texts,
            model=normalized.model,
            endpoint=str(normalized.endpoint),
            status=flow.response.status_code if flow.response else None,
        )
        if usage is not None:
            x.usage = priced(usage, self.prices(), reading.model, normalized.model)

    def _settle(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        if x.usage is not None or x.reading is not None:
            return
        for response_filter in x.response_filters:
            if isinstance(response_filter, _Observer):
                response_filter.finish()


class _Observer:
    """The response filter: feeds the meter, passes every chunk on as it is."""

    def __init__(self, addon: UsageAddon, flow: http.HTTPFlow) -> None:
        self._addon = addon
        self._flow = flow
        self._meter: ResponseMeter | None = None
        self._broken = False
        self._finished = False

    def __call__(self, chunk: bytes) -> bytes:
        # Reading is best effort: whatever goes wrong here, the answer flows on.
        try:
            if not chunk:
                self.finish()
            elif not self._broken:
                self._meter_for_response().feed(chunk)
        except Exception:
            log.exception("usage reading failed for %s", self._flow.request.url)
            self._broken = True
        return chunk

    def finish(self) -> None:
        if self._finished or self._flow.response is None or not forwarded(self._flow):
            return  # Warden answered, or the network failed before the provider did
        self._finished = True
        try:
            self._addon.settle(self._flow, self._meter_for_response().finish())
        except Exception:
            log.exception("usage reading failed for %s", self._flow.request.url)

    def _meter_for_response(self) -> ResponseMeter:
        if self._meter is None:
            assert self._flow.response is not None
            headers = lowered(self._flow.response.headers)
            self._meter = ResponseMeter(
                headers.get("content-type"), headers.get("content-encoding"), headers
            )
        return self._meter
