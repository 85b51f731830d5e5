"""The /metrics text: Prometheus' exposition format, with bounded labels only."""

from __future__ import annotations

import json

from warden.metrics import Counters


def test_counters_render_in_prometheus_text_format() -> None:
    counters = Counters()
    counters.requests.add(app="openai", action="monitor")
    counters.requests.add(app="openai", action="monitor")
    counters.requests.add(app='we"ird\\app', action="block")
    counters.cost.add(0.25, app="openai")
    counters.health.set(1, status="ok")
    lines = counters.render().splitlines()
    assert "# TYPE warden_requests_total counter" in lines
    assert 'warden_requests_total{action="monitor",app="openai"} 2' in lines
    assert 'warden_requests_total{action="block",app="we\\"ird\\\\app"} 1' in lines
    assert 'warden_cost_usd_total{app="openai"} 0.25' in lines
    assert "# TYPE warden_health gauge" in lines and 'warden_health{status="ok"} 1' in lines
    # A family with no values yet still declares itself, so dashboards find the name.
    assert "# TYPE warden_dlp_findings_total counter" in lines


def test_a_workers_counters_add_to_anothers_and_the_health_gauge_is_not_summed():
    mine, theirs = Counters(), Counters()
    mine.requests.add(app="openai", action="allow")
    theirs.requests.add(3, app="openai", action="allow")
    theirs.requests.add(app="anthropic", action="block")
    theirs.health.set(1, status="ok")
    total = mine.copy()
    total.add_snapshot(json.loads(json.dumps(theirs.snapshot())))  # as read from its file
    text = total.render()
    assert 'warden_requests_total{action="allow",app="openai"} 4' in text
    assert 'warden_requests_total{action="block",app="anthropic"} 1' in text
    assert "warden_health{" not in text
    assert 'warden_requests_total{action="allow",app="openai"} 1' in mine.render()  # untouched


def test_a_shared_counter_file_cannot_inject_metric_lines():
    mine = Counters()
    forged = {"warden_requests_total": [[[['app="x"} 1\nwarden_evil', "y"]], 5]]}
    mine.add_snapshot(forged)
    assert "warden_evil" not in mine.render()
