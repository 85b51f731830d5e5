"""TrailingDotAddon: a host name with a trailing dot is the name without it, upstream."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from mitmproxy import connection
from mitmproxy.test import tflow

from addons.trailing_dot import TrailingDotAddon


def _hello(client_sni: str | None, target: str, server_sni: str | None = None) -> SimpleNamespace:
    client = connection.Client(peername=("127.0.0.1", 5000), sockname=("127.0.0.1", 8080))
    client.sni = client_sni
    server = connection.Server(address=(target, 443))
    server.sni = server_sni
    return SimpleNamespace(context=SimpleNamespace(client=client, server=server))


@pytest.mark.parametrize(
    ("client_sni", "target", "upstream"),
    [
        ("api.openai.com.", "api.openai.com", "api.openai.com"),
        (None, "api.openai.com.", "api.openai.com"),
        ("api.openai.com.", "api.openai.com.", "api.openai.com"),
        ("api.openai.com", "api.openai.com", None),  # mitmproxy's own choice stands
        (None, "10.0.0.1", None),
    ],
)
def test_upstream_name_of_a_tunnel_loses_its_trailing_dot(
    client_sni: str | None, target: str, upstream: str | None
) -> None:
    data = _hello(client_sni, target)
    TrailingDotAddon().tls_clienthello(data)  # type: ignore[arg-type]
    assert data.context.server.sni == upstream


def test_a_name_already_chosen_is_kept() -> None:
    data = _hello("api.openai.com.", "api.openai.com", server_sni="proxy.example")
    TrailingDotAddon().tls_clienthello(data)  # type: ignore[arg-type]
    assert data.context.server.sni == "proxy.example"


def test_connections_the_http_layer_opens_lose_the_dot_too() -> None:
    server = connection.Server(address=("api.openai.com.", 443))
    server.sni = "api.openai.com."
    TrailingDotAddon().server_connect(SimpleNamespace(server=server))  # type: ignore[arg-type]
    assert server.sni == "api.openai.com"


def test_connect_target_loses_its_trailing_dot_before_mitmproxy_connects() -> None:
    flow = tflow.tflow()
    flow.request.method, flow.request.host, flow.request.port = "CONNECT", "api.openai.com.", 443
    TrailingDotAddon().http_connect(flow)
    assert flow.request.host == "api.openai.com"
