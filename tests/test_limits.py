"""LimitsAddon: every request gives back the body bytes it reserved, however it ends, and idle
or slow clients are cut off while tunnels and WebSockets are left alone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from mitmproxy import connection, exceptions, http
from mitmproxy.test import taddons, tflow

from addons import interrupt
from addons.exchange import exchange
from addons.limits import LimitsAddon

MAX_BODY = 5000


@dataclass
class Connections:
    """Stands in for mitmproxy's connection handlers."""

    closed: list[str] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)
    hooks_running: set[str] = field(default_factory=set)


@pytest.fixture
def conns(monkeypatch: pytest.MonkeyPatch) -> Connections:
    seen = Connections()

    def close(client: connection.Client) -> bool:
        seen.closed.append(client.id)
        return True

    def inject(flow: http.HTTPFlow) -> bool:
        seen.injected.append(flow.id)
        return True

    monkeypatch.setattr(interrupt, "close_client", close)
    monkeypatch.setattr(interrupt, "inject_deadline", inject)
    monkeypatch.setattr(interrupt, "hook_running", lambda c: c.id in seen.hooks_running)
    return seen


@pytest.fixture
def limits() -> Iterator[LimitsAddon]:
    config = SimpleNamespace(max_body_bytes=MAX_BODY)
    runtime = SimpleNamespace(current=lambda: SimpleNamespace(config=config))
    addon = LimitsAddon(runtime)  # type: ignore[arg-type]
    with taddons.context(addon) as tctx:
        tctx.configure(
            addon,
            warden_inflight_body_bytes=1000,
            warden_body_timeout=1,
            warden_header_timeout=1,
        )
        yield addon


_SENDERS = iter(range(1, 1_000_000))


def _ai(length: int | None = None, client: connection.Client | None = None) -> http.HTTPFlow:
    """An AI request; each from its own address unless `client` is given, so one sender's
    share of the cap (tested on its own) does not get in the way."""
    flow = tflow.tflow(client_conn=client) if client else tflow.tflow()
    if client is None:
        n = next(_SENDERS)
        flow.client_conn.peername = (f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", 50000)
    exchange(flow).app = SimpleNamespace(id="openai", schema="openai")
    flow.request.headers.pop("content-length", None)
    if length is not None:
        flow.request.headers["content-length"] = str(length)
    return flow


def _error(flow: http.HTTPFlow) -> dict:
    assert flow.response is not None
    return json.loads(flow.response.content or b"")["error"]


@pytest.mark.asyncio
async def test_every_way_a_request_ends_gives_its_bytes_back(
    limits: LimitsAddon, conns: Connections
) -> None:
    budget = limits.budget
    completed = _ai(300)
    limits.requestheaders(completed)
    assert budget.in_use == 300
    completed.request.raw_content = b"x" * 280  # what really arrived
    limits.request(completed)
    assert budget.in_use == 280
    limits.response(completed)

    holder = _ai(800)
    limits.requestheaders(holder)
    refused = _ai(300)
    limits.requestheaders(refused)  # 800 + 300 > 1000
    assert refused.response is not None and refused.response.status_code == 503
    limits.response(refused)  # answered before its body was read

    killed = _ai(100)
    limits.requestheaders(killed)
    limits.error(killed)

    late = _ai(100)
    limits.requestheaders(late)
    answer = limits.body_deadline(late)
    assert answer is not None and answer.status_code == 408
    limits.response(late)

    chunked = _ai()
    limits.requestheaders(chunked)
    assert limits.body_progress(chunked, 150) is None
    assert budget.held(chunked.id) == 150
    over = limits.body_progress(chunked, 400)  # 800 + 400 > 1000
    assert over is not None and over.status_code == 503
    limits.response(chunked)

    client = tflow.tclient_conn()
    limits.client_connected(client)
    abandoned = _ai(100, client)
    limits.requestheaders(abandoned)
    limits.client_disconnected(client)  # gone before any hook about its flow

    limits.error(holder)
    assert budget.in_use == 0
    assert budget.holders() == 0
    assert limits._body_deadlines == {}


@pytest.mark.asyncio
async def test_refusal_over_the_cap_is_a_503_in_the_providers_format(limits: LimitsAddon) -> None:
    limits.requestheaders(_ai(900))
    refused = _ai(200)
    refused.request.headers["expect"] = "100-continue"
    limits.requestheaders(refused)
    error = _error(refused)
    assert error["code"] == "warden_busy"
    assert "was not sent" in error["message"]
    assert refused.response is not None and refused.response.headers["retry-after"] == "5"
    assert exchange(refused).refusal.status == 503
    assert "expect" not in refused.request.headers  # no "100 Continue" before the refusal


@pytest.mark.asyncio
async def test_one_request_alone_is_admitted_whatever_its_size(limits: LimitsAddon) -> None:
    alone = _ai(4000)  # over the 1000-byte cap, within warden_max_body
    limits.requestheaders(alone)
    assert alone.response is None


@pytest.mark.asyncio
async def test_body_without_a_length_is_refused_past_warden_max_body(limits: LimitsAddon) -> None:
    flow = _ai()
    limits.requestheaders(flow)
    answer = limits.body_progress(flow, MAX_BODY + 1)
    assert answer is not None and answer.status_code == 413
    assert exchange(flow).refusal.code == "body_too_large"


@pytest.mark.asyncio
async def test_late_body_is_answered_408_and_a_prompt_one_is_not(
    limits: LimitsAddon, conns: Connections
) -> None:
    late, prompt = _ai(100), _ai(100)
    limits.requestheaders(late)
    limits.requestheaders(prompt)
    limits.request(prompt)  # its body arrived
    await asyncio.sleep(1.2)
    assert conns.injected == [late.id]
    answer = limits.body_deadline(late)
    assert answer is not None
    assert "did not arrive within 1 s" in _error_of(answer)["message"]
    assert answer.headers["connection"] == "close"
    assert exchange(late).refusal.code == "request_timeout"


def _error_of(response: http.Response) -> dict:
    return json.loads(response.content or b"")["error"]


@pytest.mark.asyncio
async def test_requests_to_hosts_warden_does_not_inspect_are_streamed(limits: LimitsAddon) -> None:
    other = tflow.tflow()
    limits.requestheaders(other)
    assert other.request.stream is True
    assert limits.budget.in_use == 0
    ai = _ai(100)
    limits.requestheaders(ai)
    assert not ai.request.stream


@pytest.mark.asyncio
async def test_client_without_a_complete_request_is_closed_after_the_header_timeout(
    limits: LimitsAddon, conns: Connections
) -> None:
    silent, working = tflow.tclient_conn(), tflow.tclient_conn()
    limits.client_connected(silent)
    limits.client_connected(working)
    flow = _ai(10, working)
    limits.requestheaders(flow)  # a request in progress: no limit while it is answered
    await asyncio.sleep(1.2)
    assert conns.closed == [silent.id]
    limits.response(flow)  # now idle: the keep-alive limit starts
    await asyncio.sleep(1.2)
    assert conns.closed == [silent.id, working.id]


@pytest.mark.asyncio
async def test_tunnels_and_websockets_are_never_cut_off(
    limits: LimitsAddon, conns: Connections
) -> None:
    tunnel, websocket, connect = (tflow.tclient_conn() for _ in range(3))
    for client in (tunnel, websocket, connect):
        limits.client_connected(client)
    hello = SimpleNamespace(ignore_connection=True, context=SimpleNamespace(client=tunnel))
    limits.tls_clienthello(hello)  # type: ignore[arg-type]  # set so by classify.py
    upgrade = _ai(None, websocket)
    limits.requestheaders(upgrade)
    limits.response(upgrade)
    limits.websocket_start(upgrade)
    connect_flow = tflow.tflow(client_conn=connect)
    limits.http_connect(connect_flow)
    await asyncio.sleep(1.2)
    assert conns.closed == []  # the CONNECT is being set up
    limits.http_connected(connect_flow)  # decrypted: its first request must come in time
    await asyncio.sleep(1.2)
    assert conns.closed == [connect.id]


@pytest.mark.asyncio
async def test_raw_tcp_is_exempt_unless_warden_decrypted_it(
    limits: LimitsAddon, conns: Connections
) -> None:
    relayed, decrypted = tflow.tclient_conn(), tflow.tclient_conn()
    relayed.timestamp_tls_setup = None  # no TLS with Warden: e.g. SSH through a CONNECT
    for client in (relayed, decrypted):
        limits.client_connected(client)
        limits.tcp_start(tflow.ttcpflow(client_conn=client))
    await asyncio.sleep(1.2)
    assert conns.closed == [decrypted.id]


@pytest.mark.asyncio
async def test_deadline_waits_while_a_hook_works_for_the_connection(
    limits: LimitsAddon, conns: Connections
) -> None:
    client = tflow.tclient_conn()
    limits.client_connected(client)
    conns.hooks_running.add(client.id)  # e.g. its proxy login is being checked
    await asyncio.sleep(1.3)
    assert conns.closed == []
    conns.hooks_running.clear()
    await asyncio.sleep(1.1)
    assert conns.closed == [client.id]


@pytest.mark.parametrize(
    "option", ["warden_header_timeout", "warden_body_timeout", "warden_inflight_body_bytes"]
)
def test_negative_limits_are_refused(limits: LimitsAddon, option: str) -> None:
    with taddons.context(limits) as tctx, pytest.raises(exceptions.OptionsError):
        tctx.configure(limits, **{option: -1})


def test_the_default_cap_applies_without_being_set() -> None:
    config = SimpleNamespace(max_body_bytes=MAX_BODY)
    runtime = SimpleNamespace(current=lambda: SimpleNamespace(config=config))
    addon = LimitsAddon(runtime)  # type: ignore[arg-type]
    with taddons.context(addon):
        addon.running()
        assert addon.budget.cap == 256 * 1024 * 1024


@pytest.mark.asyncio
async def test_one_client_cannot_take_the_cap_from_everyone_else(limits: LimitsAddon) -> None:
    mallory = tflow.tclient_conn()
    mallory.peername = ("10.9.9.9", 40000)
    first = _ai(200, mallory)
    limits.requestheaders(first)
    assert first.response is None
    second = _ai(200, mallory)
    limits.requestheaders(second)  # 400 of a 1000 cap: past one sender's quarter
    assert second.response is not None and second.response.status_code == 503
    alice = _ai(600)
    limits.requestheaders(alice)
    assert alice.response is None
