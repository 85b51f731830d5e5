"""Scans each inspected AI request for secrets and personal data, before the policy decides.

The scan runs in a worker thread under the policy's dlp.timeout_ms. When it fails (an
analyzer error or the time budget spent), fail_mode decides: `closed` (the default) answers
503 in the provider's own error format, so SDKs raise their usual error with Warden's message;
`open` forwards the request, marks it exchange(flow).unscanned = "timeout" or
"error" for the audit log and alerts, and logs a warning that names the flow but none of its
content. 503 rather than 403: the request was not refused by a rule, Warden could not check
it, and a retry may well pass.

The scanner (Presidio recognizers and the spaCy model) takes a second to build, so it is
built once at start and again only when the policy's dlp section changes, in a worker
thread, and shared by all requests.

Scans are CPU work in threads beside mitmproxy's event loop. With CPython's default GIL
switch interval (5 ms) the loop waits up to 5 ms for the GIL at every wake-up while a scan
runs; the addon lowers it to 1 ms for the process (see docs/dlp.md for the measurements).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time

from mitmproxy import http

from addons import heap
from addons.exchange import exchange
from addons.runtime import RuntimeAddon
from warden.dlp.fingerprint import load_salt
from warden.dlp.scanner import Scanner
from warden.dlp.types import ScanResult
from warden.policy.model import DlpPolicy, FailMode
from warden.refusal import Refusal, Stage
from warden.schemas.normalized import NormalizedRequest

__all__ = ["DlpEngine", "DlpScanAddon", "ScanFailed"]

log = logging.getLogger("warden.dlp")

SWITCH_INTERVAL_S = 0.001
_DEFAULT_SWITCH_S = sys.getswitchinterval()
UNAVAILABLE_STATUS = 503
UNAVAILABLE_CODE = "dlp_unavailable"


def _switching(*, fast: bool) -> None:
    """DLP scans run in worker threads; a 1 ms GIL switch interval keeps the event loop's lag
    to a few ms while one runs. Without DLP, Python's default spares the loop needless thread
    switches (the audit writer's): about 4% of throughput in benchmarks.proxy_overhead."""
    sys.setswitchinterval(SWITCH_INTERVAL_S if fast else _DEFAULT_SWITCH_S)


class ScanFailed(Exception):
    """The scan did not complete; `reason` is "timeout" or "error" (never content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DlpEngine:
    """The scanner for the policy in force, built off the event loop, shared by all flows."""

    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime
        self._settings: DlpPolicy | None = None
        self._build: asyncio.Task[Scanner] | None = None
        self._salt: bytes | None = None

    def start(self) -> None:
        """Begin building now, so the first request does not wait for spaCy to load."""
        settings = self._runtime.current().policy.dlp
        _switching(fast=settings.enabled)
        if settings.enabled:
            self._builder(settings)

    async def scanner(self) -> Scanner | None:
        """The scanner for the current dlp settings; None when the policy turns DLP off."""
        settings = self._runtime.current().policy.dlp
        _switching(fast=settings.enabled)  # follows policy reloads
        if not settings.enabled:
            return None
        return await asyncio.shield(self._builder(settings))

    async def scan(self, request: NormalizedRequest) -> ScanResult | None:
        """Scan in a worker thread within the policy's time budget; None when DLP is off."""
        try:
            scanner = await self.scanner()
        except Exception as e:
            log.error("DLP scanner could not be built: %s", type(e).__name__)
            raise ScanFailed("error") from None
        if scanner is None:
            return None
        budget = scanner.settings.timeout_ms / 1000
        deadline = time.monotonic() + budget
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(scanner.scan, request, deadline=deadline), budget
            )
        except TimeoutError:  # also the scanner's own ScanTimeout
            raise ScanFailed("timeout") from None
        except Exception as e:
            # The type only: a third-party message could quote the text it choked on.
            log.error("DLP scan failed: %s", type(e).__name__)
            raise ScanFailed("error") from None

    def state(self) -> str:
        """ "off", "loading", "ready" or "failed": the scanner for the policy in force."""
        if not self._runtime.current().policy.dlp.enabled:
            return "off"
        build = self._build
        if (
            build is None
            or not build.done()
            or self._settings != self._runtime.current().policy.dlp
        ):
            return "loading"  # a reload's new settings are built at the next request
        return "failed" if build.cancelled() or build.exception() else "ready"

    def _builder(self, settings: DlpPolicy) -> asyncio.Task[Scanner]:
        failed = self._build is not None and self._build.done() and self._build.exception()
        if self._build is None or settings != self._settings or failed:
            self._settings = settings
            self._build = asyncio.get_running_loop().create_task(
                asyncio.to_thread(self._make, settings)
            )
        return self._build

    def _make(self, settings: DlpPolicy) -> Scanner:
        started = time.perf_counter()
        if self._salt is None:
            try:
                self._salt = load_salt(self._runtime.current().config.data_dir)
            except OSError as e:
                # Hashes then differ across restarts; scanning must not stop for it.
                log.error("DLP salt file unusable (%s); using a salt for this process only", e)
                self._salt = load_salt(None)
        scanner = Scanner(settings, salt=self._salt)
        scanner.warm_up()
        heap.settle(collect=False)  # the model stays loaded: keep the collector off it
        log.info("DLP scanner ready in %.0f ms", (time.perf_counter() - started) * 1000)
        return scanner


class DlpScanAddon:
    def __init__(self, runtime: RuntimeAddon, engine: DlpEngine | None = None) -> None:
        self._runtime = runtime
        self.engine = engine or DlpEngine(runtime)

    def running(self) -> None:
        self.engine.start()

    async def request(self, flow: http.HTTPFlow) -> Refusal | None:
        x = exchange(flow)
        normalized = x.request
        if flow.response or normalized is None:
            return None
        if not normalized.segments and not normalized.other:
            x.findings = ScanResult()
            return None
        try:
            result = await self.engine.scan(normalized)
        except ScanFailed as failed:
            return self._unscanned(flow, failed.reason)
        if result is not None:
            x.findings = result
        return None

    def _unscanned(self, flow: http.HTTPFlow, reason: str) -> Refusal | None:
        where = f"{flow.request.method} {flow.request.pretty_host}{flow.request.path.split('?')[0]}"
        if self._runtime.current().policy.fail_mode is FailMode.OPEN:
            exchange(flow).unscanned = reason
            log.warning("flow %s (%s) forwarded without a DLP scan: %s", flow.id, where, reason)
            return None
        message = (
            "Warden could not check this request for secrets and personal data "
            f"({'it took too long' if reason == 'timeout' else 'the scanner failed'}), so it "
            "was not sent. Try again; if it keeps happening, send a shorter request or contact "
            "your security team."
        )
        log.warning("flow %s (%s) refused: DLP scan %s (fail_mode: closed)", flow.id, where, reason)
        return Refusal(
            Stage.DLP,
            UNAVAILABLE_STATUS,
            UNAVAILABLE_CODE,
            f"dlp scan {reason}",
            message,
            headers={"Retry-After": "1"},
        )
