"""MetricsAddon: /metrics on the proxy's own address when switched on, counting each AI
request once by app and action, with its findings, tokens and cost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow

from addons.exchange import exchange
from addons.metrics import MetricsAddon
from tests.alerts.factories import FAKE_EMAIL, FAKE_OPENAI_KEY, finding
from warden.catalog import Catalog
from warden.dlp.types import ScanResult
from warden.policy import Action, Decision
from warden.refusal import Refusal, Stage
from warden.usage.model import Usage

CATALOG = Catalog.default()


class Health:
    """Stands in for the health addon."""

    status = "degraded"
    workers_status = ""  # a single process, not a worker of --workers
    instance = ""

    def report(self) -> dict[str, object]:
        return {"status": self.status}


@pytest.fixture
def metrics() -> Iterator[MetricsAddon]:
    addon = MetricsAddon(Health())  # type: ignore[arg-type]
    with taddons.context(addon) as tctx:
        tctx.configure(addon, warden_metrics=True)
        yield addon


def _scrape(addon: MetricsAddon) -> list[str]:
    flow = tflow.tflow()
    flow.client_conn.sockname = ("10.0.0.5", 8080)
    flow.request.host, flow.request.port, flow.request.path = "10.0.0.5", 8080, "/metrics"
    addon.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200
    assert flow.response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert exchange(flow).internal == "metrics"
    return (flow.response.text or "").splitlines()


def _answered(app: str, action: Action | None = None, **parts: object) -> http.HTTPFlow:
    flow = tflow.tflow(resp=True)
    x = exchange(flow)
    x.app = CATALOG.get(app)
    if action is not None:
        x.decision = Decision(action, None, "test")
    for name, value in parts.items():
        setattr(x, name, value)
    return flow


def test_requests_are_counted_per_app_and_action(metrics: MetricsAddon) -> None:
    for flow in (
        _answered("openai", Action.MONITOR),
        _answered("openai", Action.MONITOR),
        _answered("openai", Action.BLOCK),
        _answered("anthropic", Action.REDACT),
        _answered("anthropic", refusal=Refusal(Stage.AUDIT, 503, "audit_store_unavailable", "x")),
    ):
        metrics.response(flow)
    lines = _scrape(metrics)
    assert 'warden_requests_total{action="monitor",app="openai"} 2' in lines
    assert 'warden_requests_total{action="block",app="openai"} 1' in lines
    assert 'warden_requests_total{action="redact",app="anthropic"} 1' in lines
    assert 'warden_requests_total{action="reject",app="anthropic"} 1' in lines
    assert 'warden_health{status="degraded"} 1' in lines


def test_an_answer_that_errors_late_is_counted_once(metrics: MetricsAddon) -> None:
    flow = _answered("openai", Action.MONITOR)
    metrics.response(flow)
    metrics.error(flow)
    assert 'warden_requests_total{action="monitor",app="openai"} 1' in _scrape(metrics)


def test_findings_tokens_and_cost_are_counted(metrics: MetricsAddon) -> None:
    scan = ScanResult((finding(FAKE_OPENAI_KEY), finding(FAKE_EMAIL, "EMAIL_ADDRESS")))
    usage = Usage(input_tokens=120, output_tokens=30, source="provider", cost_usd=0.25)
    metrics.response(_answered("openai", Action.REDACT, findings=scan, usage=usage))
    lines = _scrape(metrics)
    assert 'warden_dlp_findings_total{entity="OPENAI_API_KEY"} 1' in lines
    assert 'warden_dlp_findings_total{entity="EMAIL_ADDRESS"} 1' in lines
    assert 'warden_tokens_total{app="openai",direction="input"} 120' in lines
    assert 'warden_tokens_total{app="openai",direction="output"} 30' in lines
    assert 'warden_cost_usd_total{app="openai"} 0.25' in lines


def test_traffic_that_is_not_ai_and_warden_pages_are_not_counted(metrics: MetricsAddon) -> None:
    metrics.response(tflow.tflow(resp=True))
    metrics.response(_answered("openai", Action.MONITOR, internal="pac"))
    assert not any(line.startswith("warden_requests_total{") for line in _scrape(metrics))


def test_metrics_are_off_unless_switched_on() -> None:
    addon = MetricsAddon(Health())  # type: ignore[arg-type]
    with taddons.context(addon):
        flow = tflow.tflow()
        flow.client_conn.sockname = ("10.0.0.5", 8080)
        flow.request.host, flow.request.port, flow.request.path = "10.0.0.5", 8080, "/metrics"
        addon.requestheaders(flow)
        assert flow.response is None
