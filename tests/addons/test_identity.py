"""IdentityAddon: who sent each request. Where proxy auth is required, no valid login means
407 with the realm; a login holds for the whole connection; credentials and identity headers
never reach the AI provider."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow

from addons.exchange import exchange
from addons.identity import IdentityAddon
from addons.runtime import RuntimeAddon
from tests.addons.traffic import ai_request, configure

IDENTITY = """
version: 1
sources: [proxy_auth, header, network]
proxy_auth:
  required: {required}
  users_file: users.htpasswd
  realm: Example Corp AI egress
header:
  trusted_sources: [10.9.0.0/16]
network:
  - {{cidr: 192.0.2.0/24, user: lab-bot, device: lab, groups: [lab]}}
groups:
  engineering: [alice]
"""
PASSWORD = "correct horse battery staple"


def _users(tmp_path: Path) -> None:
    # Cost 4: the lowest bcrypt allows, so the test spends milliseconds per check.
    digest = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    (tmp_path / "users.htpasswd").write_text(f"alice:{digest}\n")


def _addon(tmp_path: Path, *, required: bool) -> Iterator[IdentityAddon]:
    _users(tmp_path)
    runtime = RuntimeAddon()
    with taddons.context(runtime) as tctx:
        configure(tctx, runtime, tmp_path, identity=IDENTITY.format(required=str(required).lower()))
        yield IdentityAddon(runtime)


@pytest.fixture
def required(tmp_path: Path) -> Iterator[IdentityAddon]:
    yield from _addon(tmp_path, required=True)


@pytest.fixture
def optional(tmp_path: Path) -> Iterator[IdentityAddon]:
    yield from _addon(tmp_path, required=False)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _connect(authorization: str | None = None, ip: str = "10.1.2.3") -> http.HTTPFlow:
    flow = tflow.tflow()
    flow.client_conn.peername = (ip, 50123)
    flow.request.method = "CONNECT"
    flow.request.authority = "api.openai.com:443"
    if authorization is not None:
        flow.request.headers["Proxy-Authorization"] = authorization
    return flow


@pytest.mark.asyncio
async def test_without_credentials_a_required_login_is_asked_for_with_the_realm(
    required: IdentityAddon,
) -> None:
    flow = _connect()
    await required.http_connect(flow)
    assert flow.response is not None and flow.response.status_code == 407
    assert flow.response.headers["Proxy-Authenticate"] == 'Basic realm="Example Corp AI egress"'
    assert exchange(flow).identity is None
    assert exchange(flow).internal == "auth_required"  # not an AI request to record


@pytest.mark.asyncio
async def test_a_wrong_password_is_asked_again_and_never_leaves(required: IdentityAddon) -> None:
    flow = _connect(_basic("alice", "guess"))
    await required.http_connect(flow)
    assert flow.response is not None and flow.response.status_code == 407
    assert "Proxy-Authorization" not in flow.request.headers


@pytest.mark.asyncio
async def test_a_login_on_connect_names_every_request_in_the_tunnel_and_is_not_forwarded(
    required: IdentityAddon,
) -> None:
    connect = _connect(_basic("alice", PASSWORD))
    await required.http_connect(connect)
    assert connect.response is None
    assert "Proxy-Authorization" not in connect.request.headers
    identity = exchange(connect).identity
    assert identity is not None
    assert (identity.user, identity.groups, identity.source) == (
        "alice",
        ("engineering",),
        "proxy_auth",
    )

    inside = ai_request()
    inside.client_conn = connect.client_conn  # the decrypted tunnel's request
    await required.requestheaders(inside)
    assert inside.response is None
    named = exchange(inside).identity
    assert named is not None and named.user == "alice"


@pytest.mark.asyncio
async def test_proxy_authorization_on_a_plain_http_request_is_stripped_before_forwarding(
    required: IdentityAddon,
) -> None:
    flow = ai_request()
    flow.client_conn.peername = ("10.1.2.3", 50123)
    flow.request.headers["Proxy-Authorization"] = _basic("alice", PASSWORD)
    await required.requestheaders(flow)
    assert flow.response is None
    assert "Proxy-Authorization" not in flow.request.headers
    identity = exchange(flow).identity
    assert identity is not None and identity.user == "alice"


@pytest.mark.asyncio
async def test_identity_headers_count_only_from_trusted_sources_and_are_never_forwarded(
    optional: IdentityAddon,
) -> None:
    trusted = ai_request()
    trusted.client_conn.peername = ("10.9.0.5", 40000)  # the identity-aware proxy in front
    trusted.request.headers["X-Authenticated-User"] = "dave"
    trusted.request.headers["X-Authenticated-Groups"] = "finance, emea"
    await optional.requestheaders(trusted)
    identity = exchange(trusted).identity
    assert identity is not None
    assert (identity.user, identity.source) == ("dave", "header")
    assert identity.groups == ("emea", "finance")

    claimed = ai_request()
    claimed.client_conn.peername = ("10.1.2.3", 40000)  # a laptop claiming to be someone
    claimed.request.headers["X-Authenticated-User"] = "ceo"
    await optional.requestheaders(claimed)
    identity = exchange(claimed).identity
    assert identity is not None and identity.user == "anonymous"

    for flow in (trusted, claimed):
        assert "X-Authenticated-User" not in flow.request.headers
        assert "X-Authenticated-Groups" not in flow.request.headers


@pytest.mark.asyncio
async def test_without_a_login_the_network_names_the_user_when_auth_is_optional(
    optional: IdentityAddon,
) -> None:
    flow = ai_request()
    flow.client_conn.peername = ("192.0.2.44", 40000)
    await optional.requestheaders(flow)
    identity = exchange(flow).identity
    assert identity is not None
    assert (identity.user, identity.device, identity.groups) == ("lab-bot", "lab", ("lab",))


@pytest.mark.asyncio
async def test_warden_pages_are_answered_without_asking_for_a_login(
    required: IdentityAddon,
) -> None:
    flow = tflow.tflow()
    exchange(flow).internal = "pac"  # answered by the PAC addon, which runs first
    await required.requestheaders(flow)
    assert flow.response is None
