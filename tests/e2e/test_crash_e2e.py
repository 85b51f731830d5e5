"""A record before the request leaves: kill -9 under load loses no request that reached the
provider, and a journal that cannot be written is a store failure like any other."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import httpx2
import openai
import pytest

from tests.e2e.conftest import StartWarden, Warden
from tests.support import MockProviders
from tests.support.eventually import eventually
from warden.store.journal import INTERRUPTED
from warden.store.layout import StoreLayout

pytestmark = pytest.mark.e2e

TOTAL, CONCURRENCY, KILL_AFTER = 2000, 16, 1000
CHAT_URL = "https://api.openai.com/v1/chat/completions"
FAKE_KEY = "sk-test-" + "c" * 40
NUMBERED = re.compile(r"crash probe (\d+) ")


def _chat(number: int) -> dict:
    return {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": f"crash probe {number} of the load run"}],
    }


def _send_until_stopped(warden: Warden, numbers: itertools.count, stop: threading.Event) -> None:
    with warden.client() as client:
        while not stop.is_set():
            number = next(numbers)
            if number >= TOTAL:
                return
            # Fails once the proxy is killed under it: the test counts what arrived upstream.
            with contextlib.suppress(httpx2.HTTPError):
                client.post(
                    f"{CHAT_URL}?n={number}",
                    json=_chat(number),
                    headers={"authorization": f"Bearer {FAKE_KEY}"},
                )


def _numbers_received(mock: MockProviders) -> set[int]:
    return {
        int(parse_qs(r.query)["n"][0])
        for r in mock.requests()
        if r.path == "/v1/chat/completions" and "n=" in r.query
    }


def test_every_request_that_reached_the_provider_has_one_event_after_kill_9_and_a_restart(
    start_warden: StartWarden, mock: MockProviders
):
    mock.clear()
    warden = start_warden()
    numbers, stop = itertools.count(), threading.Event()
    senders = [
        threading.Thread(target=_send_until_stopped, args=(warden, numbers, stop), daemon=True)
        for _ in range(CONCURRENCY)
    ]
    for sender in senders:
        sender.start()
    eventually(lambda: len(mock.log.snapshot()) >= KILL_AFTER, 60, 0.01)
    assert warden.process.process is not None
    os.killpg(warden.process.process.pid, signal.SIGKILL)  # the proxy and its helpers, at once
    warden.process.process.wait()
    stop.set()
    for sender in senders:
        sender.join(30)

    received = _numbers_received(mock)
    assert KILL_AFTER <= len(received) < TOTAL, "the kill must land in the middle of the run"
    restarted = start_warden(data_dir=warden.data_dir)
    # The store is recovered once the writer has started, a moment after the port listens.
    eventually(
        lambda: "requests that were forwarded before" in restarted.log(),
        30,
        0.1,
        message=restarted.log,
    )

    def recorded_every_received(events: list[dict]) -> bool:
        prompts = (e.get("prompt_text") or "" for e in events)
        return received <= {int(m[1]) for p in prompts if (m := NUMBERED.search(p))}

    # Sent by threads on their own clients: wait for the numbers, not for answers' ids.
    stored = restarted.events(until=recorded_every_received, timeout=15)
    events = [e for e in stored if e["type"] == "request"]
    per_number = Counter(
        int(m[1]) for e in events if (m := NUMBERED.search(e["prompt_text"] or ""))
    )
    assert sorted(received - set(per_number)) == [], "reached the provider, never recorded"
    assert {n: c for n, c in per_number.items() if c > 1} == {}, "recorded twice"
    assert len(per_number) == len(events)  # every event is one of the numbered requests
    # The journal did the work: the requests in flight or not yet flushed at the kill.
    interrupted = [e for e in events if e["error"] == INTERRUPTED]
    assert interrupted and all(e["status"] is None for e in interrupted)
    assert f"recorded {len(interrupted)} requests that were forwarded" in restarted.log()
    assert list(StoreLayout(warden.data_dir).journal_dir.iterdir()) == []  # folded, deleted


def _openai(warden: Warden) -> openai.OpenAI:
    return openai.OpenAI(api_key=FAKE_KEY, http_client=warden.client(), max_retries=0)


def _break_journal(warden: Warden) -> Path:
    journal = StoreLayout(warden.data_dir).journal_dir
    deadline = time.monotonic() + 10  # the journal exists once a request has been journaled
    while not journal.is_dir() and time.monotonic() < deadline:
        _ask(_openai(warden))
    moved = journal.with_name("journal.moved")
    journal.rename(moved)
    journal.write_text("not a directory")  # root ignores permissions: a lost mount does not
    return moved


def _ask(client: openai.OpenAI) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "are you journaling"}]
    )
    return reply.choices[0].message.content or ""


def test_a_journal_that_cannot_be_written_refuses_ai_requests_by_default_until_it_can(
    start_warden: StartWarden, mock: MockProviders
):
    warden = start_warden()
    client = _openai(warden)
    moved = _break_journal(warden)
    deadline = time.monotonic() + 10
    refusal = None
    while refusal is None and time.monotonic() < deadline:
        try:
            _ask(client)  # the open file is used until it is rotated, within a flush interval
        except openai.InternalServerError as e:
            refusal = e
    assert refusal is not None, "a request went out unjournaled under on_store_failure: block"
    assert "cannot record this request" in str(refusal)
    assert refusal.body and refusal.body["code"] == "audit_store_unavailable"  # type: ignore[index]
    mock.clear()
    journal = StoreLayout(warden.data_dir).journal_dir
    journal.unlink()
    moved.rename(journal)
    eventually(lambda: _ask(client) == "echo: are you journaling", 10, 0.2)
    assert len(mock.requests()) >= 1
    log = warden.log()
    assert "audit store cannot be written (request journal:" in log
    assert "AI requests are refused until it recovers" in log
    refused = [e for e in warden.events() if e["status"] == 503]
    assert refused and all(e["rejected"]["code"] == "audit_store_unavailable" for e in refused)
    assert all(e["prompt_text"] is None for e in refused)  # nothing left: nothing captured


def test_a_journal_that_cannot_be_written_under_serve_forwards_and_logs_an_error(
    start_warden: StartWarden, mock: MockProviders
):
    warden = start_warden(policy="version: 1\naudit: {on_store_failure: serve}\n")
    client = _openai(warden)
    _break_journal(warden)
    mock.clear()
    for _ in range(5):  # across more than one rotation (flush interval 0.2 s here)
        assert _ask(client) == "echo: are you journaling"
        time.sleep(0.1)  # deliberate: spreads the requests over journal rotations
    assert len(mock.requests()) == 5
    log = warden.log()
    assert "audit store cannot be written (request journal:" in log
    assert "AI requests are still served, not journaled before they leave" in log
    assert len([e for e in warden.events() if e["type"] == "request"]) >= 5
