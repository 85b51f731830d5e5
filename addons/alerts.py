"""Raises alerts for suspicious prompts and risky behaviour, and names them on the flow.

Runs after the policy (and DLP) in the `request` hook, and before the audit addon in the
`response`/`error` hooks, so the exchange's alert_ids are complete when the event is
written. A short prompt is checked right here (tens of microseconds); a long one goes to
the detection worker process (or, without one, a thread) so it does not hold up the event
loop. Deduping (in throttle windows shared with the other Warden processes: the state
database, or Redis with `--state`), storing and delivering alerts happen on the
AlertService's threads; the request goes on meanwhile, and the response/error hook waits
(briefly) for the alert ids its event lists. Alerting never fails a request: an error here
is logged and the request goes on.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from mitmproxy import ctx, http, tls

from addons.exchange import exchange
from addons.runtime import RuntimeAddon
from addons.state import StateAddon
from warden.alerts.config import AlertsConfig, DetectorSettings
from warden.alerts.detectors import (
    DETECTORS,
    TEXT_DETECTOR_NAMES,
    PromptContext,
    run_detectors,
)
from warden.alerts.detectors.secrets import secret_findings
from warden.alerts.facts import evasion_signal, policy_signal, subject_for, unscanned_signal
from warden.alerts.service import AlertService
from warden.alerts.signal import Signal, Subject
from warden.alerts.worker import DetectionWorker, WorkerGone
from warden.catalog import CatalogEntry
from warden.state.redis_alert_windows import RedisAlertWindows

log = logging.getLogger("warden.alerts")

# What still runs on the event loop while the worker takes the text detectors.
_INLINE_WITH_WORKER = frozenset(d.name for d in DETECTORS) - TEXT_DETECTOR_NAMES

# The text detectors take about 0.1-0.3 µs per character; handing a prompt to the worker
# costs the event loop about 200 µs (pickling, the socket, waking up for the answer). Below
# this size checking it here is cheaper; above, the worker (or a thread) takes it.
OFFLOAD_CHARS = 2 * 1024
TICK_S = 1.0
# How long the audit event waits for the worker's signals before detecting in-process.
DETECT_WAIT_S = 5.0
# How long the audit event waits for the ids of the alerts its request raised.
IDS_WAIT_S = 5.0


class AlertsAddon:
    def __init__(self, runtime: RuntimeAddon, state: StateAddon | None = None) -> None:
        self._runtime = runtime
        self._state = state
        self._service: AlertService | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._worker: DetectionWorker | None = None
        self._starting: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def service(self) -> AlertService | None:
        return self._service

    def forget_user(self, user: str) -> None:
        """After a privacy purge (any thread): nothing about `user` stays open in memory."""
        if self._loop is not None and self._service is not None:
            self._loop.call_soon_threadsafe(self._service.forget_user, user)

    def _config(self) -> AlertsConfig:
        return self._runtime.current().policy.alerts

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_detect_worker",
            bool,
            True,
            "Run the prompt detectors (injection, jailbreak, obfuscation) in a helper process "
            "so they use another core instead of the proxy's event loop.",
        )

    def running(self) -> None:
        data_dir = self._runtime.current().config.data_dir
        shared = self._state.shared if self._state is not None else None
        if shared is not None:  # `--state redis://...`: windows shared by the whole fleet
            self._service = AlertService(
                data_dir,
                self._config(),
                windows=RedisAlertWindows(shared.client, shared.namespace),
                windows_name=shared.health.name,
            )
        else:
            self._service = AlertService(data_dir, self._config())
        loop = self._loop = asyncio.get_running_loop()
        self._ticker = loop.create_task(self._tick_forever())
        if _option("warden_detect_worker", default=False):
            self._worker = DetectionWorker()
            self._starting = loop.create_task(self._worker.start())

    def done(self) -> None:
        if self._ticker:
            self._ticker.cancel()
        if self._worker:
            self._worker.close()
        if self._service:
            self._service.close()

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            service = self._service
            if service is None:
                continue
            try:
                service.configure(self._config())  # follows policy reloads
                service.tick()
            except Exception:
                log.exception("alert maintenance failed")

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        # A tunnel to an AI host that is not decrypted still counts as the app being used.
        if not data.ignore_connection or self._service is None:
            return
        catalog = self._runtime.current().catalog
        names = [
            data.client_hello.sni,
            data.context.server.address[0] if data.context.server.address else None,
        ]
        entry = next((e for n in names if n for e in [catalog.lookup(n)] if e), None)
        if entry is None:
            return
        peer = data.context.client.peername
        subject = subject_for(
            None, entry, host=names[0] or names[1], client_ip=peer[0] if peer else None
        )
        self._raise(self._new_app(subject), subject)

    async def request(self, flow: http.HTTPFlow) -> None:
        service = self._service
        x = exchange(flow)
        normalized = x.request
        if service is None or normalized is None or x.internal:
            return
        config = self._config()
        # The rules of the policy in force for this request, not the one of the last tick
        # (up to TICK_S older): a rule added by a reload applies from the first request on.
        service.configure(config)
        if not config.enabled:
            return
        try:
            entry: CatalogEntry | None = x.app
            policy = self._runtime.current().policy
            findings = tuple(x.findings.findings) if x.findings is not None else None
            decision = x.decision
            ctx = PromptContext(
                tuple(normalized.segments),
                findings,
                entry,
                policy.sanctioned.get(entry.id, entry.sanctioned) if entry else None,
            )
            settings = config.detectors
            long_prompt = normalized.prompt_chars > OFFLOAD_CHARS
            offloaded = (
                self._worker.submit(ctx.user_text(settings.max_scan_chars), settings)
                if self._worker is not None and long_prompt
                else None
            )
            if offloaded is not None:
                signals = run_detectors(ctx, settings, _INLINE_WITH_WORKER)
            elif long_prompt:
                signals = await asyncio.to_thread(run_detectors, ctx, settings)
            else:
                signals = run_detectors(ctx, settings)
            subject = subject_for(
                x.identity,
                entry,
                host=flow.request.host,
                model=normalized.model,
                event_id=flow.id,
                decision=decision,
            )
            x.alert_subject = subject
            if decision is not None:
                signal = policy_signal(decision, findings or ())
                if signal is not None:
                    signals.append(signal)
            if x.unscanned:
                signals.append(unscanned_signal(x.unscanned))
            classification = x.classification
            if classification is not None and classification.disagree:
                signals.append(evasion_signal(classification.describe()))
            secrets = secret_findings(findings, config.detectors.secret_min_score)
            signals += service.behaviour.on_request(
                subject, blocked=bool(decision and decision.blocks), secrets=len(secrets)
            )
            signals += self._new_app(subject)
            self._raise(signals, subject, flow)
            if offloaded is not None:
                offloaded.add_done_callback(
                    functools.partial(self._offloaded_done, ctx, settings, subject, flow)
                )
                x.alert_detecting = offloaded
        except Exception:
            log.exception("alert detection failed for %s; the request goes on", flow.id)

    def _offloaded_done(
        self,
        ctx: PromptContext,
        settings: DetectorSettings,
        subject: Subject,
        flow: http.HTTPFlow,
        offloaded: asyncio.Future[list[Signal]],
    ) -> None:
        """Raise what the worker found; if it died or was given up on, detect here instead."""
        try:
            if offloaded.cancelled() or offloaded.exception() is not None:
                signals = run_detectors(ctx, settings, TEXT_DETECTOR_NAMES)
            else:
                signals = offloaded.result()
            self._raise(signals, subject, flow)
        except Exception:
            log.exception("alert detection failed for %s", flow.id)

    async def response(self, flow: http.HTTPFlow) -> None:
        await self._detected(flow)
        self._after(flow)
        await self._named(flow)

    async def error(self, flow: http.HTTPFlow) -> None:
        await self._detected(flow)
        self._after(flow)
        await self._named(flow)

    @staticmethod
    async def _detected(flow: http.HTTPFlow) -> None:
        # So that the audit event, written next, lists this request's alerts. The worker has
        # usually answered long before the provider did. One that takes too long is given up
        # on, and the detectors run here instead (see _offloaded_done).
        x = exchange(flow)
        detecting, x.alert_detecting = x.alert_detecting, None
        if detecting is None or detecting.done():
            return
        try:
            async with asyncio.timeout(DETECT_WAIT_S):
                await detecting
        except (TimeoutError, WorkerGone):
            pass  # _offloaded_done, registered first, has already run either way

    @staticmethod
    async def _named(flow: http.HTTPFlow) -> None:
        """Put the ids of the alerts this request raised on the flow, for its audit event."""
        x = exchange(flow)
        raising, x.alert_raising = x.alert_raising, []
        if not raising:
            return
        # asyncio.wait, not a timeout around gather: cancelling would drop alerts not raised yet.
        done, late = await asyncio.wait(raising, timeout=IDS_WAIT_S)
        for future in raising:
            if future in done and future.exception() is None:
                x.alert_ids.extend(i for i in future.result() if i not in x.alert_ids)
        if late:
            log.warning(
                "alerts of %s not decided within %s s; its event will not list them",
                flow.id,
                IDS_WAIT_S,
            )

    def _after(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        usage, subject = x.usage, x.alert_subject
        if self._service is None or usage is None or subject is None:
            return
        try:
            signals = self._service.behaviour.on_usage(
                subject, usage.input_tokens + usage.output_tokens, usage.cost_usd
            )
            self._raise(signals, subject, flow)
        except Exception:
            log.exception("usage alerting failed for %s", flow.id)

    def _new_app(self, subject: Subject) -> list[Signal]:
        assert self._service is not None
        signal = self._service.behaviour.on_app(subject)
        return [signal] if signal is not None else []

    def _raise(
        self, signals: list[Signal], subject: Subject, flow: http.HTTPFlow | None = None
    ) -> None:
        if not signals or self._service is None:
            return
        raising = asyncio.wrap_future(self._service.submit(signals, subject))
        raising.add_done_callback(_log_failure)
        if flow is not None:
            exchange(flow).alert_raising.append(raising)


def _log_failure(raising: asyncio.Future[list[str]]) -> None:
    if not raising.cancelled() and (error := raising.exception()) is not None:
        log.error("raising alerts failed", exc_info=error)


def _option(name: str, *, default: bool) -> bool:
    # Outside a running mitmproxy (unit tests build addons by hand) there are no options.
    try:
        return bool(getattr(ctx.options, name))
    except AttributeError:
        return default
