"""GET /metrics on the proxy's own port, in Prometheus' text format; off unless asked for.

    warden run --set warden_metrics=true

Counts what Warden did with each AI request once its answer is complete (or broke off):
requests by app and action, DLP findings by entity type, tokens and cost by app, and the
health status of /healthz. Like /healthz it answers without proxy credentials, so it is off
by default: turn it on where only the monitoring system can reach the proxy port.

Under `warden run --workers N` a scrape reaches one worker, chosen by the kernel. Each worker
writes its counters to <data>/run/metrics-<worker>.json every second, and the one scraped
answers with the sum of its own live counters and the others' files: one Warden, not N, and
counters that only go down when a worker restarts (a counter reset, as Prometheus expects).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path

from mitmproxy import ctx, http

from addons.exchange import exchange
from addons.health import HealthAddon
from addons.pac import addressed_to_proxy
from warden.metrics import Counters
from warden.workers import read_status, write_atomically

log = logging.getLogger("warden.metrics")
SHARE_INTERVAL_S = 1.0

__all__ = ["METRICS_PATH", "MetricsAddon"]

METRICS_PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class MetricsAddon:
    def __init__(self, health: HealthAddon) -> None:
        self._health = health
        self.counters = Counters()
        self._sharing: asyncio.Task[None] | None = None

    def running(self) -> None:
        if ctx.options.warden_metrics and self._health.workers_status:
            self._sharing = asyncio.get_running_loop().create_task(self._share())

    def done(self) -> None:
        if self._sharing is not None:
            self._sharing.cancel()

    async def _share(self) -> None:
        """Write this worker's counters for the others, every second."""
        path = self._metrics_file(self._health.instance)
        while True:
            text = json.dumps(self.counters.snapshot())
            try:
                await asyncio.to_thread(write_atomically, path, text)
            except OSError as e:
                log.warning("could not share this worker's metrics: %s", e)
            await asyncio.sleep(SHARE_INTERVAL_S)

    def _metrics_file(self, worker: str) -> Path:
        return Path(self._health.workers_status).parent / f"metrics-{worker}.json"

    def _all_workers(self) -> Counters:
        """These counters plus the other workers' last shared ones."""
        total = self.counters.copy()
        status = read_status(Path(self._health.workers_status)) or {}
        me = self._health.instance
        for worker in status.get("workers", ()):
            name = worker.get("name") if isinstance(worker, dict) else None
            if not isinstance(name, str) or name == me:
                continue
            with contextlib.suppress(OSError, ValueError):
                total.add_snapshot(json.loads(self._metrics_file(name).read_text()))
        return total

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_metrics",
            bool,
            False,
            "Serve Prometheus metrics at /metrics on the proxy port, without credentials.",
        )

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live or not addressed_to_proxy(flow):
            return
        if flow.request.path.split("?", 1)[0] != METRICS_PATH or not ctx.options.warden_metrics:
            return
        status = str(self._health.report()["status"])
        counters = self._all_workers() if self._health.workers_status else self.counters
        counters.health.values.clear()
        counters.health.set(1, status=status)
        flow.response = http.Response.make(
            200, counters.render(), {"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}
        )
        exchange(flow).internal = "metrics"

    def response(self, flow: http.HTTPFlow) -> None:
        self._count(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._count(flow)

    def _count(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        entry = x.app
        if entry is None or x.internal or x.metrics_counted:
            return
        x.metrics_counted = True  # an answer that errors late gets both hooks
        decision = x.decision
        action = decision.action.value if decision is not None else None
        if action is None:
            action = "reject" if x.refusal else "none"
        counters = self.counters
        counters.requests.add(app=entry.id, action=action)
        scan = x.findings
        for finding in scan.findings if scan is not None else ():
            counters.findings.add(entity=finding.entity_type)
        usage = x.usage
        if usage is not None:
            counters.tokens.add(usage.input_tokens, app=entry.id, direction="input")
            counters.tokens.add(usage.output_tokens, app=entry.id, direction="output")
            if usage.cost_usd:
                counters.cost.add(usage.cost_usd, app=entry.id)
