"""Counts each AI answer's tokens and cost as it goes past, and leaves a Usage on the flow.

A ResponseMeter reads a decoded copy of the answer through StreamAddon's filter chain;
every byte passes on unchanged and undelayed. When the answer ends (the filters' final b""
call, which comes before any addon's `response` hook, streamed or buffered) the reading
becomes the exchange's usage: provider-reported, or estimated with tiktoken over a
bounded sample (a few ms at most), priced from the price table. Quota accounting in any
addon's `response` hook therefore finds it, wherever that addon sits in the chain.

Option: warden_prices, a price override file (same format as warden/usage/prices.yaml),
re-read within a second of a change; a broken edit keeps the last good table.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from mitmproxy import ctx, exceptions, http

from addons.exchange import NOT_COMPUTED, exchange
from addons.headers import lowered
from addons.runtime import RuntimeAddon
from addons.sent import forwarded
from warden.errors import ConfigError
from warden.usage.estimate import priced, resolve_usage
from warden.usage.meter import ResponseMeter, ResponseReading
from warden.usage.prices import PriceTable

log = logging.getLogger("warden.usage")

RELOAD_INTERVAL_S = 1.0


class UsageAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime
        self._prices = PriceTable.load()
        self._prices_path: Path | None = None
        self._prices_mtime: float | None = None
        self._reloader: asyncio.Task[None] | None = None

    def prices(self) -> PriceTable:
        return self._prices

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_prices",
            str,
            "",
            "Price override file (format of warden/usage/prices.yaml); its entries win.",
        )

    def configure(self, updated: set[str]) -> None:
        if "warden_prices" not in updated:
            return
        path = Path(ctx.options.warden_prices) if ctx.options.warden_prices else None
        try:
            self._prices = PriceTable.load(path)
        except ConfigError as e:
            raise exceptions.OptionsError(str(e)) from e
        self._prices_path = path
        self._prices_mtime = _mtime(path)

    def running(self) -> None:
        self._reloader = asyncio.get_running_loop().create_task(self._reload_forever())

    def done(self) -> None:
        if self._reloader:
            self._reloader.cancel()

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
            x.usage = priced(usage, self._prices, reading.model, normalized.model)

    def _settle(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        if x.usage is not None or x.reading is not None:
            return
        for response_filter in x.response_filters:
            if isinstance(response_filter, _Observer):
                response_filter.finish()

    async def _reload_forever(self) -> None:
        while True:
            await asyncio.sleep(RELOAD_INTERVAL_S)
            self._reload_if_changed()

    def _reload_if_changed(self) -> None:
        path = self._prices_path
        if path is None:
            return
        mtime = _mtime(path)
        if mtime == self._prices_mtime:
            return
        self._prices_mtime = mtime
        try:
            self._prices = PriceTable.load(path)
        except ConfigError as e:
            log.error("rejected %s; keeping the last good price table", e)
            return
        log.info("loaded prices %s (version %s)", path, self._prices.version)


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


def _mtime(path: Path | None) -> float | None:
    if path is None:
        return None
    try:
        return path.stat().st_mtime
    except OSError:
        return None
