"""Edits to the proxy users file reach a running proxy: a removed user's new connections get
407, a rotated password counts at once, and a broken or deleted file keeps the last good one
while /healthz says the identity check is degraded."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx2
import pytest

from tests.e2e.conftest import StartWarden, Warden
from tests.e2e.tls_probe import connect_and_handshake
from tests.support.eventually import eventually
from warden.identity import hash_password

pytestmark = pytest.mark.e2e


def _status(warden: Warden, user: str, password: str) -> str:
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return connect_and_handshake(warden.port, "api.openai.com", str(warden.ca), auth).status_line


def _status_becomes(warden: Warden, user: str, password: str, code: str) -> str:
    """The CONNECT status once it is `code` (one reload is ~1 s)."""

    def answered() -> str | None:
        status = _status(warden, user, password)
        return status if f" {code} " in status else None

    return eventually(
        answered,
        timeout=10,
        interval=0.3,
        message=f"CONNECT as {user} never answered {code}",
    )


def _health(warden: Warden) -> dict[str, object]:
    with httpx2.Client(trust_env=False, timeout=10) as client:
        return client.get(f"{warden.url}/healthz").json()  # type: ignore[no-any-return]


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.htpasswd"
    path.write_text(f"alice:{hash_password('old-pw')}\nbob:{hash_password('bob-pw')}\n")
    return path


def _start(start_warden: StartWarden, users: Path) -> Warden:
    identity = (
        f"version: 1\nsources: [proxy_auth]\nproxy_auth: {{required: true, users_file: {users}}}\n"
    )
    return start_warden(identity=identity, policy="version: 1\ndefault_action: allow\n")


def test_a_removed_user_and_a_rotated_password_count_without_a_restart(
    start_warden: StartWarden, users: Path
):
    warden = _start(start_warden, users)
    assert " 200 " in _status(warden, "bob", "bob-pw")  # verified, and so remembered
    assert " 200 " in _status(warden, "alice", "old-pw")

    users.write_text(f"alice:{hash_password('old-pw')}\n")  # bob leaves the company
    _status_becomes(warden, "bob", "bob-pw", "407")

    users.write_text(f"alice:{hash_password('new-pw')}\n")  # alice's password is rotated
    _status_becomes(warden, "alice", "old-pw", "407")
    assert " 200 " in _status(warden, "alice", "new-pw")


def test_a_broken_or_deleted_users_file_keeps_the_last_good_and_shows_as_degraded(
    start_warden: StartWarden, users: Path
):
    warden = _start(start_warden, users)
    users.write_text("alice:not-a-bcrypt-hash\n")
    # Waits on the identity check itself: on a loaded machine another check may turn the
    # status degraded first (it once did, while identity still read "ok").
    health = eventually(
        lambda: (h := _health(warden))["checks"]["identity"] != "ok" and h  # type: ignore[index]
    )
    assert health["status"] == "degraded"  # type: ignore[index]
    assert health["checks"]["identity"] == "reload rejected, last good in force"  # type: ignore[index]
    assert " 200 " in _status(warden, "bob", "bob-pw")  # the last good users file

    # Health reads the same before and after: the log says when a reload saw the file gone.
    rejections = warden.log().count("keeping the last good version")
    users.unlink()
    eventually(
        lambda: warden.log().count("keeping the last good version") > rejections,
        message="no reload noticed the users file was deleted",
    )
    assert _health(warden)["checks"]["identity"] != "ok"  # type: ignore[index]
    assert " 200 " in _status(warden, "alice", "old-pw")
    assert " 407 " in _status(warden, "mallory", "bob-pw")
