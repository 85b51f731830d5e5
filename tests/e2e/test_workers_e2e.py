"""`warden run --workers 2` on one machine, with no Redis: one port, one quota, one audit lake,
one alert for one key, one set of metrics; a worker killed with kill -9 is started again and
no request that reached the provider goes unrecorded; the workers do not outlive their
supervisor."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import duckdb
import httpx2
import pytest

from tests.alerts.receivers import WebhookReceiver
from tests.e2e.conftest import StartWarden, Warden
from tests.support import MockProviders
from tests.support.eventually import eventually
from warden.state.alerts import SqliteAlertStore
from warden.state.db import StateDB
from warden.store.journal import INTERRUPTED
from warden.workers import status_path

pytestmark = pytest.mark.e2e

CHAT_URL = "https://api.openai.com/v1/chat/completions"
FAKE_KEY = "sk-test-" + "w" * 40
QUOTA, SENT = 20, 60
QUOTA_POLICY = f"""
version: 1
default_action: allow
quotas:
  - {{id: per-user-minute, scope: user, requests: {QUOTA}, window: 1m}}
"""
NUMBERED = re.compile(r"[?&]n=(\d+)")


def _post(warden: Warden, number: int) -> int:
    """One chat request on a connection of its own (so the kernel picks a worker for each)."""
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": f"worker probe {number} of the run"}],
    }
    with warden.client() as client:
        answer = client.post(
            f"{CHAT_URL}?n={number}", json=body, headers={"authorization": f"Bearer {FAKE_KEY}"}
        )
        return answer.status_code


def _status(warden: Warden) -> dict:
    return json.loads(status_path(warden.data_dir).read_text())


def _health(warden: Warden) -> dict:
    with httpx2.Client(trust_env=False, timeout=10) as client:
        answer: dict = client.get(f"{warden.url}/healthz").json()
        return answer


def _requests_written_by(warden: Warden, worker: str) -> int:
    """Request events in one worker's own part of the lake (each writes an empty segment at
    start, so that files exist says nothing)."""
    files = str(warden.data_dir / "events" / worker / "seg-*.parquet")
    con = duckdb.connect()
    try:
        sql = "SELECT count(*) FROM read_parquet(?, union_by_name = true) WHERE type = 'request'"
        row = con.execute(sql, [files]).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def _until_both_workers_served(warden: Warden, send: Callable[[int], object]) -> int:
    """Send requests, each on a connection of its own, until both workers have recorded some
    (the kernel picks a worker per connection); how many were sent."""
    for sent in range(1, 41):
        send(sent - 1)
        warden.events(count=sent, timeout=30)
        if sent >= 4 and all(_requests_written_by(warden, w) for w in ("w1", "w2")):
            return sent
    raise AssertionError("40 connections in a row went to one worker")


def _numbers_received(mock: MockProviders) -> set[int]:
    return {
        int(parse_qs(r.query)["n"][0])
        for r in mock.requests()
        if r.path == "/v1/chat/completions" and "n=" in r.query
    }


def _numbered_events(events: list[dict]) -> Counter[int]:
    """How many request events each numbered request has (its number is in the path)."""
    return Counter(
        int(m[1])
        for e in events
        if e["type"] == "request" and (m := NUMBERED.search(e.get("path") or ""))
    )


def _both_workers_answer(warden: Warden) -> None:
    seen: set[str] = set()

    def both() -> bool:
        report = _health(warden)
        seen.add(report.get("instance", ""))
        return seen >= {"w1", "w2"} and report["checks"]["workers"] == "ok"

    eventually(both, timeout=60, interval=0.05, message=lambda: f"/healthz came from {seen}")


def test_two_workers_share_one_port_one_quota_and_one_audit_lake(
    start_warden: StartWarden, mock: MockProviders
) -> None:
    warden = start_warden(policy=QUOTA_POLICY, extra_args=["--workers", "2"])
    _both_workers_answer(warden)
    mock.clear()

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda n: _post(warden, n), range(SENT)))

    assert statuses.count(200) == QUOTA, Counter(statuses)
    assert statuses.count(429) == SENT - QUOTA, Counter(statuses)
    assert len(_numbers_received(mock)) == QUOTA  # what the provider saw

    events = warden.events(until=lambda es: sum(_numbered_events(es).values()) >= SENT)
    assert sorted(_numbered_events(events)) == list(range(SENT))  # each request, once
    assert sum(_numbered_events(events).values()) == SENT
    # Both workers served and wrote their own part of the lake; readers saw the union.
    for name in ("w1", "w2"):
        assert _requests_written_by(warden, name) > 0, name


def test_a_worker_killed_under_load_is_restarted_and_every_forwarded_request_has_an_event(
    start_warden: StartWarden, mock: MockProviders
) -> None:
    warden = start_warden(extra_args=["--workers", "2"])
    _both_workers_answer(warden)
    mock.clear()
    numbers, stop = itertools.count(), threading.Event()

    def send() -> None:
        while not stop.is_set():
            # A request on the killed worker fails: the test counts what reached the provider.
            with contextlib.suppress(httpx2.HTTPError):
                _post(warden, next(numbers))

    senders = [threading.Thread(target=send, daemon=True) for _ in range(8)]
    for sender in senders:
        sender.start()
    eventually(lambda: len(_numbers_received(mock)) >= 150, 60, 0.01)
    victim = next(w for w in _status(warden)["workers"] if w["name"] == "w1")
    os.kill(victim["pid"], signal.SIGKILL)
    eventually(lambda: len(_numbers_received(mock)) >= 300, 60, 0.01)  # w2 kept serving
    stop.set()
    for sender in senders:
        sender.join(30)

    def restarted() -> dict | None:
        w1 = next(w for w in _status(warden)["workers"] if w["name"] == "w1")
        return w1 if w1["up"] and w1["restarts"] == 1 and w1["pid"] != victim["pid"] else None

    w1 = eventually(restarted, 90, 0.1, message=lambda: str(_status(warden)))
    assert w1["last_exit"] == -signal.SIGKILL
    assert "worker w1 exited (killed by SIGKILL)" in warden.log()
    assert _health(warden)["checks"]["workers"] == "1 of 2 workers restarted in the last 60 s"

    received = _numbers_received(mock)
    events = warden.events(until=lambda es: received <= set(_numbered_events(es)), timeout=30)
    per_number = _numbered_events(events)
    assert sorted(received - set(per_number)) == [], "reached the provider, never recorded"
    assert {n: c for n, c in per_number.items() if c > 1} == {}, "recorded twice"
    # What the killed w1 had forwarded without recording the answer (if the kill caught any
    # in flight) the restarted w1 recorded from its journal, with no status.
    interrupted = [e for e in events if e["error"] == INTERRUPTED]
    assert all(e["status"] is None for e in interrupted)


def test_the_workers_stop_when_their_supervisor_is_killed(
    start_warden: StartWarden, mock: MockProviders
) -> None:
    warden = start_warden(extra_args=["--workers", "2"])
    _both_workers_answer(warden)
    workers = [w["pid"] for w in _status(warden)["workers"]]
    supervisor = _status(warden)["supervisor_pid"]
    os.kill(supervisor, signal.SIGKILL)

    def gone(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except FileNotFoundError:
            return True
        # A zombie waiting for its parent is gone too, once its last thread has ended.
        return fields["State"].strip().startswith("Z") and fields["Threads"].strip() == "1"

    def port_closed() -> bool:
        try:
            socket.create_connection(("127.0.0.1", warden.port), 1).close()
        except OSError:
            return True
        return False

    eventually(lambda: all(gone(pid) for pid in workers), 60, 0.1)
    eventually(port_closed, 30, 0.1)


def test_metrics_count_every_workers_requests_whichever_worker_is_scraped(
    start_warden: StartWarden, mock: MockProviders
) -> None:
    warden = start_warden(extra_args=["--workers", "2", "--set", "warden_metrics=true"])
    _both_workers_answer(warden)
    sent = _until_both_workers_served(warden, lambda n: _post(warden, n))
    line = f'warden_requests_total{{action="monitor",app="openai"}} {sent}'  # policy: monitor

    def scrape() -> str:
        with httpx2.Client(trust_env=False, timeout=10) as client:  # a new connection each time
            return client.get(f"{warden.url}/metrics").text

    # Every scrape, whichever worker answers it, counts them all once shared (each second).
    eventually(
        lambda: all(line in scrape() for _ in range(8)),
        30,
        0.2,
        message=lambda: (
            f"{scrape()}\n{sorted(p.name for p in (warden.data_dir / 'run').iterdir())}"
        ),
    )


LEAKED_KEY = "sk-proj-" + "e2eWorkerKeyNotReal1" + "T3BlbkFJ" + "qZ7xWv3Lm9Kp2Rt6Yb8Nc4Hd"


def test_one_alert_key_raised_on_both_workers_is_one_alert_counted_for_each(
    start_warden: StartWarden, mock: MockProviders, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_E2E_HMAC", "e2e-hmac-key-for-tests")
    with WebhookReceiver() as hook:
        policy = f"""
        version: 1
        default_action: monitor
        dlp: {{ner: false}}
        alerts:
          sinks:
            soc-hook: {{type: webhook, url: "{hook.url}", secret_env: WARDEN_E2E_HMAC}}
          rules:
            - id: leaked-secret
              when: {{detectors: [secret]}}
              sinks: [soc-hook]
              throttle: 10m
        """
        warden = start_warden(policy=policy, extra_args=["--workers", "2"])
        _both_workers_answer(warden)
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": LEAKED_KEY}]}

        def send(_: int) -> None:
            with warden.client() as client:
                client.post(CHAT_URL, json=body, headers={"authorization": f"Bearer {FAKE_KEY}"})

        sent = _until_both_workers_served(warden, send)

        store = SqliteAlertStore(StateDB.for_data_dir(warden.data_dir))
        eventually(
            lambda: [v.alert["count"] for v in store.alerts()] == [sent],
            30,
            message=lambda: str([(v.alert["rule"], v.alert["count"]) for v in store.alerts()]),
        )
        time.sleep(1.0)  # a second delivery, were there one, would have gone by now
        assert len(hook.requests) == 1
        assert LEAKED_KEY.encode() not in hook.requests[0].body
