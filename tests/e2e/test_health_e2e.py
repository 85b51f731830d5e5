"""GET /healthz on the proxy port, as a load balancer or an uptime monitor asks it: no
credentials, a JSON answer, and a rejected policy edit shows as degraded, not as down."""

from __future__ import annotations

import httpx2
import pytest

from tests.e2e.conftest import StartWarden
from tests.e2e.tls_probe import connect_and_handshake
from tests.support.eventually import eventually
from warden.identity import hash_password

pytestmark = pytest.mark.e2e


def _health(url: str) -> httpx2.Response:
    with httpx2.Client(trust_env=False, timeout=10) as client:
        return client.get(f"{url}/healthz")


def _wait_for(url: str, status: str) -> httpx2.Response:
    return eventually(
        lambda: (answer := _health(url)).json()["status"] == status and answer,
        timeout=20,  # the DLP scanner loads in the background at start
        interval=0.2,
        message=lambda: f"/healthz never said {status}: {_health(url).json()}",
    )


def test_health_is_ok_and_a_rejected_policy_edit_shows_as_degraded(
    start_warden: StartWarden, tmp_path
):  # type: ignore[no-untyped-def]
    users = tmp_path / "users.htpasswd"
    users.write_text(f"alice:{hash_password('pw')}\n")
    warden = start_warden(
        identity=f"version: 1\nsources: [proxy_auth]\n"
        f"proxy_auth: {{required: true, users_file: {users}}}\n",
        policy="version: 1\ndefault_action: allow\n",
    )
    denied = connect_and_handshake(warden.port, "api.openai.com", str(warden.ca))
    assert " 407 " in denied.status_line  # proxy auth is on for traffic
    ok = _wait_for(warden.url, "ok")  # asked without proxy credentials, although required
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/json"
    assert ok.json() == {
        "status": "ok",
        "checks": {
            "policy": "ok",
            "identity": "ok",
            "catalog": "ok",
            "prices": "ok",
            "audit_store": "ok",
            "dlp": "ready",
            "alerts": "ok",
            "state": "ok",
        },
    }

    warden.policy.write_text("version: 1\ndefault_action: maybe\n")
    degraded = _wait_for(warden.url, "degraded")
    assert degraded.status_code == 200  # the last good policy still serves traffic
    assert degraded.json()["checks"]["policy"] == "reload rejected, last good in force"
    assert str(warden.policy) not in degraded.text and "maybe" not in degraded.text
