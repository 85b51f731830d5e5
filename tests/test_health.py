"""/healthz decides ok, degraded or failing from what would happen to the next AI request."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from mitmproxy.test import tflow

from addons.health import HealthAddon
from warden.policy import Policy
from warden.runtime import CONFIG_CHECKS


@dataclass
class _Runtime:
    policy: Policy
    errors: dict[str, str | None] = field(default_factory=dict)

    def rejected(self) -> dict[str, str | None]:
        return {name: self.errors.get(name) for name in CONFIG_CHECKS}


@dataclass
class _Fakes:
    runtime: _Runtime
    problem: str | None = None
    dlp: str = "ready"

    def current(self) -> _Runtime:
        return self.runtime

    def store_problem(self) -> str | None:
        return self.problem

    def state(self) -> str:
        return self.dlp


@dataclass
class _Alerts:
    trouble: str | None = None  # what keeps alerts from reaching anyone

    def service(self) -> _Alerts:
        return self

    def problem(self) -> str | None:
        return self.trouble


def _status(
    policy: dict[str, object],
    errors: dict[str, str | None] | None = None,
    alerts: str | None = None,
    **state: object,
) -> tuple[int, dict[str, object]]:
    runtime = _Runtime(Policy.model_validate({"version": 1, **policy}), errors or {})
    fakes = _Fakes(runtime, **state)  # type: ignore[arg-type]
    addon = HealthAddon(fakes, fakes, fakes, _Alerts(alerts))  # type: ignore[arg-type]
    flow = tflow.tflow()
    flow.request.scheme, flow.request.path = "http", "/healthz"
    flow.client_conn.tls = False
    flow.client_conn.sockname = ("127.0.0.1", flow.request.port)
    addon.requestheaders(flow)
    assert flow.response is not None
    return flow.response.status_code, flow.response.json()


@pytest.mark.parametrize(
    ("policy", "state", "code", "status"),
    [
        ({}, {}, 200, "ok"),
        ({}, {"dlp": "loading"}, 200, "degraded"),
        ({}, {"problem": "disk full"}, 503, "failing"),  # on_store_failure: block (default)
        ({"audit": {"on_store_failure": "serve"}}, {"problem": "disk full"}, 200, "degraded"),
        ({}, {"dlp": "failed"}, 503, "failing"),  # fail_mode: closed (default)
        ({"fail_mode": "open"}, {"dlp": "failed"}, 200, "degraded"),
        ({"dlp": {"enabled": False}}, {"dlp": "off"}, 200, "ok"),
    ],
)
def test_status_follows_what_the_next_ai_request_would_meet(policy, state, code, status) -> None:  # type: ignore[no-untyped-def]
    got_code, body = _status(policy, **state)
    assert (got_code, body["status"]) == (code, status)
    assert "disk full" not in str(body)  # no error text for whoever can reach the port


@pytest.mark.parametrize("check", CONFIG_CHECKS)
def test_a_rejected_data_file_is_degraded_and_named(check: str) -> None:
    code, body = _status({}, errors={check: f"/etc/warden/{check}.yaml:1:1: the file is empty"})
    assert (code, body["status"]) == (200, "degraded")
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert checks[check] == "reload rejected, last good in force"
    assert [name for name, state in checks.items() if state != "ok" and name != "dlp"] == [check]
    assert "empty" not in str(body) and "/etc/warden" not in str(body)


def test_alerts_that_reach_nobody_make_it_degraded_not_failing() -> None:
    """Traffic is still governed, but the security team must hear that alerts are stuck."""
    code, body = _status({}, alerts="3 alert deliveries waiting, the oldest for 12 min")
    assert (code, body["status"]) == (200, "degraded")
    assert body["checks"]["alerts"] == "3 alert deliveries waiting, the oldest for 12 min"  # type: ignore[index]
    code, body = _status({})
    assert (code, body["status"], body["checks"]["alerts"]) == (200, "ok", "ok")  # type: ignore[index]
