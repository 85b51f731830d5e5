"""Two Warden proxies sharing one real Redis (`--state redis://...`): one quota between them,
a 503 while Redis is down (refuse mode) and a degraded /healthz, recovery when it is back."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import httpx2
import openai
import pytest
from websockets.sync.client import connect as websocket_connect

from tests.e2e.conftest import StartWarden, Warden
from tests.support import MockProviders
from tests.support.eventually import eventually
from tests.support.redis_server import REDIS_SERVER, RedisServer, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.e2e

QUOTA = 5
SHARED_QUOTA_POLICY = f"""
version: 1
default_action: allow
quotas:
  - {{id: per-user-shared, scope: user, requests: {QUOTA}, window: 1d}}
"""


def _openai(warden: Warden) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test-" + "r" * 40, http_client=warden.client(), max_retries=0)


def _chat(warden: Warden) -> int:
    """The status the client saw for one chat request through `warden`."""
    try:
        _openai(warden).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
        )
    except openai.APIStatusError as e:
        return e.status_code
    return 200


def _health(warden: Warden) -> dict[str, object]:
    with httpx2.Client(trust_env=False, timeout=10) as client:
        answer: dict[str, object] = client.get(f"{warden.url}/healthz").json()
        return answer


def _health_says(warden: Warden, status: str, state: str) -> None:
    def check() -> bool:
        report = _health(warden)
        checks = report["checks"]
        assert isinstance(checks, dict)
        return report["status"] == status and checks["state"] == state

    eventually(check, timeout=15, interval=0.2, message=lambda: f"/healthz: {_health(warden)}")


def test_two_proxies_sharing_redis_enforce_one_quota_and_refuse_while_it_is_down(
    start_warden: StartWarden, mock: MockProviders, redis_server: RedisServer
) -> None:
    args = ["--state", redis_server.url]
    a = start_warden(policy=SHARED_QUOTA_POLICY, extra_args=args)
    b = start_warden(policy=SHARED_QUOTA_POLICY, extra_args=args)
    mock.clear()

    statuses = [_chat(a if i % 2 == 0 else b) for i in range(2 * QUOTA)]
    assert statuses.count(200) == QUOTA, statuses
    assert statuses.count(429) == QUOTA, statuses
    assert len(mock.requests_to("api.openai.com")) == QUOTA
    assert "shared state in redis://127.0.0.1:" in a.log()

    redis_server.stop()
    with pytest.raises(openai.APIStatusError) as refused:
        _openai(b).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
        )
    assert refused.value.status_code == 503
    assert "Warden cannot reach its shared state store; try again shortly" in str(refused.value)
    _health_says(a, "degraded", "unreachable, refusing requests that need it")
    assert len(mock.requests_to("api.openai.com")) == QUOTA, "nothing left while Redis was down"

    redis_server.start()  # without persistence: the counters start again from zero
    _health_says(a, "ok", "ok")
    _health_says(b, "ok", "ok")
    assert _chat(a) == 200
    assert _chat(b) == 200
    assert len(mock.requests_to("api.openai.com")) == QUOTA + 2


def test_local_mode_keeps_enforcing_while_redis_is_down(
    start_warden: StartWarden, mock: MockProviders, redis_server: RedisServer
) -> None:
    a = start_warden(
        policy=SHARED_QUOTA_POLICY,
        extra_args=["--state", redis_server.url, "--state-unreachable", "local"],
    )
    mock.clear()
    redis_server.stop()
    statuses = [_chat(a) for _ in range(QUOTA + 2)]
    assert statuses == [200] * QUOTA + [429] * 2
    assert len(mock.requests_to("api.openai.com")) == QUOTA
    _health_says(a, "degraded", "unreachable, counting locally")


def test_the_password_comes_from_a_private_file_and_never_reaches_the_log(
    start_warden: StartWarden, mock: MockProviders, tmp_path: Path
) -> None:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    (tmp_path / "locked").mkdir()
    server = RedisServer(tmp_path / "locked", password="right-horse-battery")
    server.start()
    try:
        secret = tmp_path / "state-password"
        secret.write_text("right-horse-battery\n")
        secret.chmod(0o600)
        good = start_warden(
            policy=SHARED_QUOTA_POLICY,
            extra_args=["--state", server.url, "--state-password-file", str(secret)],
        )
        wrong_url = server.url.replace("redis://", "redis://:hunter2-state@")
        wrong = start_warden(policy=SHARED_QUOTA_POLICY, extra_args=["--state", wrong_url])
        mock.clear()
        assert _chat(good) == 200
        assert _chat(wrong) == 503  # refused login: as unreachable, in refuse mode
        _health_says(wrong, "degraded", "unreachable, refusing requests that need it")
        assert "hunter2-state" not in wrong.log()
        assert "redis://:***@127.0.0.1:" in wrong.log()
        assert "right-horse-battery" not in good.log()
    finally:
        server.stop()


def test_websocket_messages_are_refused_not_forwarded_while_redis_is_down(
    start_warden: StartWarden, mock: MockProviders, redis_server: RedisServer
) -> None:
    """An attack review sent 19 Realtime messages past a quota of 5 while Redis was down:
    the quota's error escaped the WebSocket hook and each message went on uncounted."""
    a = start_warden(policy=SHARED_QUOTA_POLICY, extra_args=["--state", redis_server.url])
    mock.clear()
    context = ssl.create_default_context(cafile=str(a.ca))
    replies = []
    with websocket_connect(
        "wss://api.openai.com/v1/realtime?model=gpt-4o-realtime-preview",
        proxy=a.url,
        ssl=context,
        additional_headers={"Authorization": "Bearer sk-test"},
        open_timeout=20,
    ) as ws:
        ws.send(json.dumps({"type": "response.create", "n": 0}))
        replies.append(json.loads(ws.recv(timeout=10)))
        redis_server.stop()
        for n in range(1, 6):
            ws.send(json.dumps({"type": "response.create", "n": n}))
            replies.append(json.loads(ws.recv(timeout=10)))
    assert replies[0]["type"] == "mock.received"
    assert [r["type"] for r in replies[1:]] == ["error"] * 5
    assert replies[1]["error"]["code"] == "state_store_unreachable"
    frames = [r for r in mock.requests() if r.method == "WEBSOCKET"]
    assert len(frames) == 1, "no message left while the quota could not be counted"
