"""A running proxy whose policy and identity files are emptied or deleted keeps enforcing the
last good versions: secrets are still redacted before the provider sees them, proxy logins
are still required, and /healthz says degraded and names the file's check."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx2
import openai
import pytest

from tests.dlp.fake_keys import FakeKeys
from tests.e2e.conftest import StartWarden, Warden
from tests.e2e.tls_probe import connect_and_handshake
from tests.support import MockProviders
from warden.identity import hash_password

pytestmark = pytest.mark.e2e

OPENAI_KEY = FakeKeys(1414).openai()  # format-valid, random: authenticates nowhere

POLICY = """
version: 1
name: strict-config-e2e
default_action: monitor
dlp: {ner: false}
rules:
  - id: mask-secrets
    match: {dlp: {entities: [SECRETS]}}
    action: redact
    redact: [{entities: [SECRETS], style: mask}]
"""


def _checks_once(url: str) -> dict[str, object]:
    with httpx2.Client(trust_env=False, timeout=10) as client:
        return client.get(f"{url}/healthz").json()


def _health_until(url: str, status: str, **checks: str) -> dict[str, object]:
    """The /healthz answer once it says `status` with these checks (or the last one seen)."""
    deadline = time.monotonic() + 20  # reloads run every second; DLP loads at start
    while True:
        answer = _checks_once(url)
        seen = answer["checks"]
        assert isinstance(seen, dict)
        wanted = answer["status"] == status and all(seen.get(k) == v for k, v in checks.items())
        if wanted or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def _sent_upstream(
    warden: Warden, mock: MockProviders, login: tuple[str, str] | None = ("alice", "pw")
) -> str:
    """Send the key (as alice by default); return the body the provider received."""
    mock.clear()
    client = openai.OpenAI(
        api_key="sk-test-" + "a" * 40, http_client=warden.client(*(login or ())), max_retries=0
    )
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"Deploy with OPENAI_API_KEY={OPENAI_KEY} now"}],
    )
    [upstream] = mock.requests_to("api.openai.com")
    return upstream.body.decode()


REJECTED = "reload rejected, last good in force"


def test_emptied_and_deleted_files_keep_the_last_good_policy_and_identity(
    start_warden: StartWarden, mock: MockProviders, tmp_path: Path
):
    users = tmp_path / "users.htpasswd"
    users.write_text(f"alice:{hash_password('pw')}\n")
    warden = start_warden(
        policy=POLICY,
        identity=f"version: 1\nsources: [proxy_auth]\n"
        f"proxy_auth: {{required: true, users_file: {users}}}\n",
    )
    identity = warden.policy.with_name("identity.yaml")
    ok = _health_until(warden.url, "ok")
    assert ok["status"] == "ok", ok
    body = _sent_upstream(warden, mock)
    assert OPENAI_KEY not in body and "[REDACTED:OPENAI_API_KEY]" in body

    # What a half-written save looks like.
    warden.policy.write_text("")
    emptied = _health_until(warden.url, "degraded", policy=REJECTED)
    assert emptied["status"] == "degraded" and emptied["checks"]["policy"] == REJECTED, emptied
    assert emptied["checks"]["identity"] == "ok"
    body = _sent_upstream(warden, mock)
    assert OPENAI_KEY not in body and "[REDACTED:OPENAI_API_KEY]" in body

    # Deleted after being emptied: the empty file never became the last good one.
    warden.policy.unlink()
    time.sleep(1.5)  # at least one reload tick sees the file gone
    deleted = _checks_once(warden.url)
    assert deleted["status"] == "degraded" and deleted["checks"]["policy"] == REJECTED, deleted
    body = _sent_upstream(warden, mock)
    assert OPENAI_KEY not in body and "[REDACTED:OPENAI_API_KEY]" in body

    # An emptied identity file does not switch proxy logins off.
    identity.write_text("")
    _health_until(warden.url, "degraded", identity=REJECTED)
    denied = connect_and_handshake(warden.port, "api.openai.com", str(warden.ca))
    assert " 407 " in denied.status_line
    assert _checks_once(warden.url)["checks"] == {
        "policy": REJECTED,
        "identity": REJECTED,
        "catalog": "ok",
        "prices": "ok",
        "audit_store": "ok",
        "dlp": "ready",
        "alerts": "ok",
        "state": "ok",
    }

    # Both files back: the rejections clear and the restored policy is the one in force.
    warden.policy.write_text(POLICY)
    identity.write_text(
        f"version: 1\nsources: [proxy_auth]\nproxy_auth: {{required: true, users_file: {users}}}\n"
    )
    restored = _health_until(warden.url, "ok")
    assert restored["status"] == "ok", restored
    body = _sent_upstream(warden, mock)
    assert OPENAI_KEY not in body and "[REDACTED:OPENAI_API_KEY]" in body


def test_a_named_pipe_in_place_of_the_policy_is_rejected_and_the_proxy_keeps_answering(
    start_warden: StartWarden, mock: MockProviders
):
    """Reading a FIFO waits for a writer; it used to hang the whole proxy, /healthz too."""
    warden = start_warden(policy=POLICY)
    ok = _health_until(warden.url, "ok")
    assert ok["status"] == "ok", ok

    warden.policy.unlink()
    os.mkfifo(warden.policy)  # no writer will come
    piped = _health_until(warden.url, "degraded", policy=REJECTED)
    assert piped["checks"]["policy"] == REJECTED, piped  # type: ignore[index]
    assert "not a regular file (a named pipe)" in warden.log()
    body = _sent_upstream(warden, mock, login=None)
    assert OPENAI_KEY not in body and "[REDACTED:OPENAI_API_KEY]" in body

    warden.policy.unlink()
    warden.policy.write_text(POLICY)
    restored = _health_until(warden.url, "ok")
    assert restored["status"] == "ok", restored
