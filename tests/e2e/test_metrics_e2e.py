"""GET /metrics on the proxy port, as Prometheus scrapes it: off by default; when on, what
Warden did with each AI request, by app and action, with tokens used."""

from __future__ import annotations

import re
import time

import httpx2
import openai
import pytest

from tests.e2e.conftest import StartWarden, Warden
from tests.support import MockProviders

pytestmark = pytest.mark.e2e


def _scrape(warden: Warden) -> httpx2.Response:
    with httpx2.Client(trust_env=False, timeout=10) as client:
        return client.get(f"{warden.url}/metrics")


def _value(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} not in:\n{text}"
    return float(match.group(1))


def test_metrics_count_requests_by_action_when_turned_on(
    start_warden: StartWarden, mock: MockProviders
):
    warden = start_warden(extra_args=["--set", "warden_metrics=true"])
    mock.clear()
    client = openai.OpenAI(
        api_key="sk-test-" + "m" * 40, http_client=warden.client(), max_retries=0
    )
    for _ in range(2):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "count me"}]
        )
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "x"}])
    deadline = time.monotonic() + 5
    while True:  # the last answer is counted when its response hook has run
        scrape = _scrape(warden)
        text = scrape.text
        done = 'warden_requests_total{action="block",app="openai"}' in text
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert _value(text, 'warden_requests_total{action="monitor",app="openai"}') == 2
    assert _value(text, 'warden_requests_total{action="block",app="openai"}') == 1
    assert _value(text, 'warden_tokens_total{app="openai",direction="output"}') > 0
    assert re.search(r'^warden_health\{status="(ok|degraded)"\} 1$', text, re.MULTILINE)
    assert "# TYPE warden_requests_total counter" in text


def test_metrics_are_not_served_unless_turned_on(start_warden: StartWarden):
    warden = start_warden()
    assert "warden_requests_total" not in _scrape(warden).text
