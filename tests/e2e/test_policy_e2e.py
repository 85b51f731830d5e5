"""Policies through the real proxy: quotas, coaching in a browser flow, hot reload."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import ssl
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest
from websockets.sync.client import connect as websocket_connect

from tests.e2e.conftest import StartWarden, Warden
from tests.support import DELAY_HEADER, MockProviders
from tests.support.eventually import eventually
from warden.store.layout import StoreLayout

pytestmark = pytest.mark.e2e

# Most tests here share the module's Warden (the `warden` fixture) and put their own policy in
# force by saving it, as an admin would; those that restart a proxy start their own.

FAKE_OPENAI_KEY = "sk-test-" + "q" * 40


def _chat(client: openai.OpenAI, model: str = "gpt-4o-mini", text: str = "hello") -> str:
    reply = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": text}]
    )
    return reply.choices[0].message.content or ""


def test_over_quota_gets_429_naming_the_limit_and_when_it_resets(
    warden: Warden, mock: MockProviders
):
    warden.reconfigure(
        policy="""
        version: 1
        default_action: allow
        quotas:
          - {id: per-user-burst, scope: user, requests: 2, window: 1h}
        """
    )
    client = openai.OpenAI(api_key=FAKE_OPENAI_KEY, http_client=warden.client(), max_retries=0)
    assert _chat(client) == "echo: hello"
    assert _chat(client) == "echo: hello"
    with pytest.raises(openai.RateLimitError) as raised:
        _chat(client)
    message = str(raised.value)
    assert "Quota 'per-user-burst' reached for anonymous user at 127.0.0.1: 2 requests" in message
    assert "It resets at" in message
    retry_after = int(raised.value.response.headers["retry-after"])
    assert 0 < retry_after <= 3600
    assert len(mock.requests_to("api.openai.com")) == 2, "the refused request was not sent"


def _chat_from(warden: Warden, address: str) -> tuple[int, str]:
    """One chat request through Warden on a connection from `address` (a loopback alias).

    Raw sockets: httpx ignores a client's local address once it goes through a proxy.
    """
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    with socket.socket() as raw:
        raw.bind((address, 0))
        raw.settimeout(20)
        raw.connect(("127.0.0.1", warden.port))
        raw.sendall(b"CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += raw.recv(4096)
        assert b" 200 " in head.split(b"\r\n")[0], head
        tls = ssl.create_default_context(cafile=str(warden.ca))
        with tls.wrap_socket(raw, server_hostname="api.openai.com") as tunnel:
            tunnel.sendall(
                f"POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\n"
                f"Authorization: Bearer {FAKE_OPENAI_KEY}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}".encode()
            )
            answer = b""
            while chunk := tunnel.recv(65536):
                answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def test_anonymous_devices_each_have_their_own_per_user_quota(warden: Warden, mock: MockProviders):
    warden.reconfigure(
        policy="""
        version: 1
        default_action: allow
        quotas:
          - {id: per-device-burst, scope: user, requests: 1, window: 1h}
        """
    )
    assert _chat_from(warden, "127.0.0.2")[0] == 200
    status, message = _chat_from(warden, "127.0.0.2")
    assert status == 429 and "reached for anonymous user at 127.0.0.2: 1 requests" in message
    assert _chat_from(warden, "127.0.0.3")[0] == 200  # not used up by the first device
    assert len(mock.requests_to("api.openai.com")) == 2


REDACT_WITH_QUOTA_POLICY = """
version: 1
default_action: allow
rules:
  - id: mask-secrets
    match: {dlp: {entities: [SECRETS]}}
    action: redact
    redact: [{entities: [SECRETS], style: mask}]
quotas:
  - {id: two-an-hour, scope: user, requests: 2, window: 1h}
"""


def test_a_request_refused_after_the_policy_does_not_use_up_the_quota(
    warden: Warden, mock: MockProviders
):
    """Quota is reserved when the policy admits a request and used only if it leaves: a request
    refused later (a key where it cannot be redacted, the audit store down) gives it back."""
    warden.reconfigure(REDACT_WITH_QUOTA_POLICY)
    client = _openai(warden)
    key = "sk-proj-" + "QuotaRefusalFakeKey0" + "T3BlbkFJ" + "zZ9yXw2Kl8Jo1Qs5Xa7Mb3Gc"
    for _ in range(3):  # refused at the redaction stage: the key is in a header
        with pytest.raises(openai.PermissionDeniedError, match="x-debug-note"):
            client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "hello"}],
                extra_headers={"X-Debug-Note": f"key {key}"},
            )
    events_dir = StoreLayout(warden.data_dir).events_dir
    moved = _break_store(events_dir)
    _wait_for_health(warden, audit_store="cannot write")  # no request in between: none counted
    for _ in range(3):  # refused at the audit stage: the store cannot record it
        with pytest.raises(openai.InternalServerError, match="cannot record this request"):
            _chat(client)
    events_dir.unlink()
    moved.rename(events_dir)
    assert mock.requests_to("api.openai.com") == [], "nothing left so far"
    assert _eventually_ok(client) == "echo: hello"  # the first of the two the quota allows
    assert _chat(client) == "echo: hello"
    with pytest.raises(openai.RateLimitError, match="two-an-hour"):
        _chat(client)
    assert len(mock.requests_to("api.openai.com")) == 2


def test_websocket_messages_count_against_the_quota(warden: Warden, mock: MockProviders):
    """A Realtime socket's messages are requests too: the handshake and each message count."""
    warden.reconfigure(
        policy="""
        version: 1
        default_action: allow
        quotas:
          - {id: three-an-hour, scope: user, requests: 3, window: 1h}
        """
    )
    context = ssl.create_default_context(cafile=str(warden.ca))
    replies = []
    with websocket_connect(  # the upgrade request is the first of the three
        "wss://api.openai.com/v1/realtime?model=gpt-4o-realtime-preview",
        proxy=warden.url,
        ssl=context,
        additional_headers={"Authorization": "Bearer sk-test"},
        open_timeout=20,
    ) as ws:
        for n in range(4):
            event = {
                "type": "conversation.item.create",
                "item": {"type": "message", "role": "user",
                         "content": [{"type": "input_text", "text": f"message {n}"}]},
            }  # fmt: skip
            ws.send(json.dumps(event))
            replies.append(json.loads(ws.recv(timeout=10)))
    assert [r["type"] for r in replies] == ["mock.received", "mock.received", "error", "error"]
    assert replies[2]["error"]["code"] == "quota_exceeded"
    assert "three-an-hour" in replies[2]["error"]["message"]
    frames = [r for r in mock.requests() if r.method == "WEBSOCKET"]
    assert len(frames) == 2, "messages over the quota never reached the provider"
    with pytest.raises(openai.RateLimitError):  # and plain requests see the same quota
        _chat(_openai(warden))


def _break_store(events_dir: Path) -> Path:
    # Root ignores permissions: break the store the way a lost mount would.
    eventually(
        lambda: events_dir.is_dir() and (events_dir.parent / "warden.duckdb").exists(),
        timeout=30,  # a loaded machine starts the writer late
        message="the audit store did not start",
    )
    moved = events_dir.with_name("events.moved")
    events_dir.rename(moved)
    events_dir.write_text("not a directory")
    return moved


def _wait_for_health(warden: Warden, timeout: float = 15.0, **checks: str) -> None:
    def report() -> dict:
        return httpx.get(f"{warden.url}/healthz", trust_env=False, timeout=10).json()  # type: ignore[no-any-return]

    eventually(
        lambda: all(report()["checks"].get(name) == state for name, state in checks.items()),
        timeout,
        0.2,
        message=lambda: f"/healthz: {report()}",
    )


def _eventually_ok(client: openai.OpenAI, timeout: float = 10.0) -> str:
    """The store recovers within its retry interval; until then requests are refused (the
    last refusal is in the failure)."""
    return eventually(lambda: _chat(client), timeout, 0.3)


DAILY_QUOTA_POLICY = """
version: 1
default_action: allow
quotas:
  - {id: daily-requests, scope: user, requests: 2, window: 1d}
"""
COUNTER_FILE = "quota-counters.json"


def _openai(warden: Warden) -> openai.OpenAI:
    return openai.OpenAI(api_key=FAKE_OPENAI_KEY, http_client=warden.client(), max_retries=0)


def test_a_restart_does_not_reset_anyones_quota(start_warden: StartWarden, mock: MockProviders):
    first = start_warden(policy=DAILY_QUOTA_POLICY)
    mock.clear()
    assert _chat(_openai(first)) == "echo: hello"
    first.process.stop()  # SIGTERM, as systemd or an upgrade would: counters saved on the way out

    second = start_warden(policy=DAILY_QUOTA_POLICY, extra_args=["--data-dir", str(first.data_dir)])
    client = _openai(second)
    assert _chat(client) == "echo: hello"
    with pytest.raises(openai.RateLimitError) as raised:
        _chat(client)
    expected = "Quota 'daily-requests' reached for anonymous user at 127.0.0.1: 2 requests"
    assert expected in str(raised.value)
    assert "quota counters restored" in second.log()
    assert len(mock.requests_to("api.openai.com")) == 2


def test_counts_survive_a_crash(start_warden: StartWarden, mock: MockProviders):
    first = start_warden(policy=DAILY_QUOTA_POLICY)
    mock.clear()
    client = _openai(first)
    assert _chat(client) == "echo: hello"
    assert _chat(client) == "echo: hello"
    # Each count is committed to the state store as it is made: no save to wait for.
    assert first.process.pid is not None
    os.kill(first.process.pid, signal.SIGKILL)  # no shutdown hook runs
    first.process.stop()

    second = start_warden(policy=DAILY_QUOTA_POLICY, extra_args=["--data-dir", str(first.data_dir)])
    with pytest.raises(openai.RateLimitError, match="daily-requests"):
        _chat(_openai(second))
    assert len(mock.requests_to("api.openai.com")) == 2


def test_a_damaged_counter_file_is_kept_aside_and_traffic_flows(
    start_warden: StartWarden, mock: MockProviders, tmp_path: Path
):
    data = tmp_path / "data-with-damaged-counters"
    data.mkdir()
    (data / COUNTER_FILE).write_text("{damaged")
    warden = start_warden(policy=DAILY_QUOTA_POLICY, extra_args=["--data-dir", str(data)])
    mock.clear()
    assert _chat(_openai(warden)) == "echo: hello"
    [aside] = data.glob(COUNTER_FILE + ".unreadable-*")
    assert aside.read_text() == "{damaged"
    assert "is not a quota counter file" in warden.log()
    assert "started quota counters from zero" in warden.log()


def test_coach_page_in_the_browser_then_continue_goes_through(warden: Warden, mock: MockProviders):
    warden.reconfigure(
        policy="""
        version: 1
        default_action: monitor
        rules:
          - id: coach-chatgpt
            match: {apps: [chatgpt-web]}
            action: coach
            message: "ChatGPT is not approved for customer data. Continue only if you must."
        """
    )
    browser = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "document"}
    with warden.client() as client:
        page = client.get("https://chatgpt.com/c/new", headers=browser)
        assert page.status_code == 403
        assert "ChatGPT is not approved for customer data" in page.text
        assert mock.requests_to("chatgpt.com") == []
        token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)

        # The app's own scripts get a JSON answer pointing at the page, not the page itself.
        xhr = client.post(
            "https://chatgpt.com/backend-api/conversation",
            json={"messages": []},
            headers={"Accept": "text/event-stream"},
        )
        assert xhr.status_code == 403
        assert "Open https://chatgpt.com/ in your browser" in xhr.json()["detail"]

        rejected = client.post(
            "https://chatgpt.com/.warden/coach/continue",
            data={"token": token + "x", "justification": "tampered"},
        )
        assert rejected.status_code == 400

        continued = client.post(
            "https://chatgpt.com/.warden/coach/continue",
            data={"token": token, "justification": "summarising a public press release"},
            headers=browser,
        )
        assert continued.status_code == 303
        assert continued.headers["location"] == "https://chatgpt.com/c/new"
        again = client.get("https://chatgpt.com/c/new", headers=browser)
    # Through to the (mock) web app this time: its own answer, not Warden's.
    assert "x-warden-decision" not in again.headers
    assert [r.path for r in mock.requests_to("chatgpt.com")] == ["/c/new"]
    reasons = [
        (e.get("decision") or {}).get("reason", "")
        for e in warden.events()
        if e["type"] == "request"
    ]
    assert any("summarising a public press release" in r for r in reasons)


def test_api_clients_are_coached_with_a_header_and_not_interrupted(
    warden: Warden, mock: MockProviders
):
    warden.reconfigure(
        policy="""
        version: 1
        rules:
          - id: coach-api
            match: {apps: [openai]}
            action: coach
            message: "Prefer the Azure OpenAI deployment for company data."
        """
    )
    with warden.client() as client:
        response = client.post(
            "https://api.openai.com/v1/chat/completions",
            json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        )
    assert response.status_code == 200
    assert (
        response.headers["x-warden-coach"] == "Prefer the Azure OpenAI deployment for company data."
    )


def test_edited_policy_applies_without_restart_or_dropped_connection(
    warden: Warden, mock: MockProviders
):
    warden.reconfigure("version: 1\ndefault_action: allow\n")
    client = openai.OpenAI(api_key=FAKE_OPENAI_KEY, http_client=warden.client(), max_retries=0)
    assert _chat(client, model="gpt-4.1") == "echo: hello"
    pid = warden.process.pid

    # A streamed answer in flight while the policy changes must complete.
    streamed: list[str] = []

    def stream() -> None:
        chunks = client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "a b c d e f"}],
            stream=True,
            extra_headers={DELAY_HEADER: "400"},
        )
        streamed.extend(c.choices[0].delta.content or "" for c in chunks if c.choices)

    in_flight = threading.Thread(target=stream)
    in_flight.start()
    time.sleep(0.5)  # deliberate: the stream is under way (400 ms a word) when the edit lands
    warden.policy.write_text(
        "version: 1\ndefault_action: allow\nrules:\n"
        "  - {id: no-gpt41, match: {models: ['gpt-4.1*']}, action: block,\n"
        "     message: 'gpt-4.1 was withdrawn today.'}\n"
    )
    edited = time.monotonic()

    def blocked_after_s() -> float | None:
        try:
            _chat(client, model="gpt-4.1")
        except openai.PermissionDeniedError as e:
            assert "gpt-4.1 was withdrawn today." in str(e)
            return time.monotonic() - edited
        return None

    blocked_after = eventually(blocked_after_s, 5, 0.1)
    in_flight.join(timeout=20)
    # One poll sees the change, the next (a second later) sees it hold still and reads it.
    assert blocked_after <= 3.0, blocked_after
    assert "".join(streamed).strip() == "echo: a b c d e f"
    assert warden.process.pid == pid
    assert "loaded" in warden.log()

    # A broken edit is rejected with its position and the last good policy stays.
    warden.policy.write_text("version: 1\ndefault_action: maybe\n")
    # Waits for this edit's own rejection: a poll landing between write_text's truncation
    # and its write rejects an empty file too, with the same "keeping the last good" line.
    eventually(lambda: "policy.yaml:2:17: default_action" in warden.log(), 5, 0.1)
    assert "keeping the last good version" in warden.log()
    with pytest.raises(openai.PermissionDeniedError):
        _chat(client, model="gpt-4.1")
    assert _chat(client, model="gpt-4o") == "echo: hello"
