"""GET /healthz on the proxy's own port: is Warden serving AI traffic as its policy says?

For load balancers, uptime monitors and `curl` during an incident. Answered before identity,
like the PAC file, so a monitor needs no proxy credentials. The body names each check and
its state but no error text or path (anyone who can reach the proxy can ask); the log and
the dashboard's health page have the details.

    200 {"status": "ok", ...}        everything works
    200 {"status": "degraded", ...}  traffic flows, something needs a look: a policy,
                                     identity, catalog or price file edit was rejected, or
                                     the file was emptied, deleted or replaced by something
                                     not a regular file (last good in force),
                                     the DLP scanner is still loading, the audit store is failing
                                     while the policy says to serve anyway, the shared
                                     state store (--state) is unreachable, a worker of
                                     --workers N is down or restarted in the last minute
    503 {"status": "failing", ...}   AI requests are being refused: the audit store cannot
                                     record (on_store_failure: block) or the DLP scanner
                                     could not be built (fail_mode: closed)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from mitmproxy import ctx, http

from addons.alerts import AlertsAddon
from addons.audit import AuditAddon
from addons.dlp import DlpEngine
from addons.exchange import exchange
from addons.pac import addressed_to_proxy
from addons.runtime import RuntimeAddon
from addons.state import StateAddon
from warden.policy.model import FailMode, StoreFailure
from warden.workers import read_status, workers_check

__all__ = ["HEALTH_PATH", "HealthAddon"]

HEALTH_PATH = "/healthz"


class HealthAddon:
    def __init__(
        self,
        runtime: RuntimeAddon,
        audit: AuditAddon,
        dlp: DlpEngine,
        alerts: AlertsAddon | None = None,
        state: StateAddon | None = None,
    ) -> None:
        self._runtime, self._audit, self._dlp, self._alerts = runtime, audit, dlp, alerts
        self._state = state
        self.instance = ""  # this worker's name under --workers, or --instance
        self.workers_status = ""  # the supervisor's status file, under --workers

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_workers_status",
            str,
            "",
            "The supervisor's status file, set by `warden run --workers N` for its workers.",
        )

    def configure(self, updated: set[str]) -> None:
        self.workers_status = ctx.options.warden_workers_status
        self.instance = getattr(ctx.options, "warden_instance", "")  # the audit addon's

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live or not addressed_to_proxy(flow):
            return
        if flow.request.path.split("?", 1)[0] != HEALTH_PATH:
            return
        report = self.report()
        flow.response = http.Response.make(
            503 if report["status"] == "failing" else 200,
            json.dumps(report, indent=1) + "\n",
            {"Content-Type": "application/json", "Cache-Control": "no-store"},
        )
        exchange(flow).internal = "health"

    def report(self) -> dict[str, object]:
        runtime = self._runtime.current()
        rejected = runtime.rejected()
        policy = runtime.policy
        store_ok = self._audit.store_problem() is None
        dlp = self._dlp.state()
        # One check per watched data file, named as the operator knows it (policy, identity,
        # catalog, prices): a rejected edit or a deleted file leaves the last good one serving.
        checks: dict[str, str] = {
            name: "reload rejected, last good in force" if error else "ok"
            for name, error in rejected.items()
        }
        checks |= {"audit_store": "ok" if store_ok else "cannot write", "dlp": dlp}
        # Alerts not reaching anyone do not stop traffic, but the security team must hear of it.
        service = self._alerts.service() if self._alerts is not None else None
        alerts_problem = service.problem() if service is not None else None
        checks["alerts"] = alerts_problem or "ok"
        # Only AI requests that need shared state (quotas, coaching passes) are affected.
        state_problem = self._state.problem() if self._state is not None else None
        checks["state"] = state_problem or "ok"
        # A worker that died and was restarted, or is waiting to be: the others serve.
        workers = self._workers()
        if workers is not None:
            checks["workers"] = workers
        failing = (not store_ok and policy.audit.on_store_failure is StoreFailure.BLOCK) or (
            dlp == "failed" and policy.fail_mode is FailMode.CLOSED
        )
        degraded = (
            any(rejected.values())
            or not store_ok
            or dlp in ("loading", "failed")
            or alerts_problem is not None
            or state_problem is not None
            or workers not in (None, "ok")
        )
        status = "failing" if failing else "degraded" if degraded else "ok"
        report: dict[str, object] = {"status": status, "checks": checks}
        if self.instance:
            report["instance"] = self.instance  # which one a balancer reached
        return report

    def _workers(self) -> str | None:
        if not self.workers_status:
            return None
        return workers_check(read_status(Path(self.workers_status)), time.time())
