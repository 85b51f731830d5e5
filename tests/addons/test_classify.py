"""ClassifyAddon: one answer per flow from every name it carries. A connection is decrypted
when any of its names is an AI host, and what is decrypted is inspected whatever its requests
claim; names that disagree are flagged; everything else passes as an untouched tunnel."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mitmproxy import connection, http, tcp
from mitmproxy.test import taddons, tflow

from addons.classify import ClassifyAddon
from addons.exchange import exchange
from addons.runtime import RuntimeAddon
from tests.addons.traffic import ai_request, configure

# An AI app whose clients pin certificates: routed through Warden, never decrypted.
PINNED_CATALOG = """
version: 1
apps:
  - id: pinned-assistant
    name: Pinned Assistant
    vendor: Example
    kind: assistant
    schema: generic
    hosts: [assistant.pinned.example]
    sanctioned: tolerated
    intercept: false
"""


class Visits:
    """Stands in for the audit addon: the tunnels to AI hosts it was told about."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, str]] = []

    def record_visit(self, client: connection.Client, host: str, entry: Any) -> None:
        self.recorded.append((host, entry.id))


@pytest.fixture
def visits() -> Visits:
    return Visits()


@pytest.fixture
def classify(tmp_path: Path, visits: Visits) -> Iterator[ClassifyAddon]:
    runtime = RuntimeAddon()
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(PINNED_CATALOG)
    with taddons.context(runtime) as tctx:
        configure(tctx, runtime, tmp_path, warden_catalog=str(catalog))
        yield ClassifyAddon(runtime, visits)  # type: ignore[arg-type]


def _hello(client: connection.Client, connect: str | None, sni: str | None) -> Any:
    """The part of mitmproxy's ClientHelloData the addon reads, and the flag it sets."""
    server = SimpleNamespace(address=(connect, 443) if connect else None)
    return SimpleNamespace(
        context=SimpleNamespace(client=client, server=server),
        client_hello=SimpleNamespace(sni=sni),
        ignore_connection=False,
    )


def test_host_header_naming_an_ai_api_classifies_a_flow_whose_connect_target_is_an_ip(
    classify: ClassifyAddon,
) -> None:
    # curl --connect-to ::203.0.113.7 https://api.openai.com/...: the TCP target is an address
    flow = ai_request()
    flow.server_conn.address = ("203.0.113.7", 443)
    flow.client_conn.sni = None
    classify.requestheaders(flow)
    app = exchange(flow).app
    assert app is not None and app.id == "openai"


def test_a_host_that_is_not_ai_is_left_alone(classify: ClassifyAddon) -> None:
    flow = ai_request("intranet.example.com")
    classify.requestheaders(flow)
    assert exchange(flow).app is None
    assert exchange(flow).classification is None


def test_names_that_disagree_are_flagged_and_the_host_header_decides(
    classify: ClassifyAddon, caplog: pytest.LogCaptureFixture
) -> None:
    flow = ai_request("api.anthropic.com")
    flow.server_conn.address = ("api.openai.com", 443)
    flow.client_conn.sni = "api.openai.com"
    with caplog.at_level(logging.WARNING, "warden.classify"):
        classify.requestheaders(flow)
    x = exchange(flow)
    assert x.app is not None and x.app.id == "anthropic"
    assert x.classification is not None and x.classification.disagree
    names = "CONNECT api.openai.com, SNI api.openai.com, Host api.anthropic.com"
    assert f"names disagree ({names})" in caplog.text


def test_names_that_agree_are_not_flagged(classify: ClassifyAddon) -> None:
    flow = ai_request()
    classify.requestheaders(flow)
    classification = exchange(flow).classification
    assert classification is not None and not classification.disagree


@pytest.mark.parametrize(
    ("connect", "sni"),
    [("api.openai.com", None), ("203.0.113.7", "api.openai.com"), ("203.0.113.7", "chatgpt.com")],
)
def test_a_connection_is_decrypted_when_any_name_it_carries_is_an_ai_host(
    classify: ClassifyAddon, connect: str, sni: str | None
) -> None:
    hello = _hello(tflow.tclient_conn(), connect, sni)
    classify.tls_clienthello(hello)
    assert hello.ignore_connection is False


def test_a_tls_connection_to_any_other_site_is_tunnelled_untouched(
    classify: ClassifyAddon, visits: Visits
) -> None:
    hello = _hello(tflow.tclient_conn(), "203.0.113.7", "www.example.org")
    classify.tls_clienthello(hello)
    assert hello.ignore_connection is True
    assert visits.recorded == []  # a visit to a site that is not AI is nobody's business


def test_a_request_fronted_behind_a_host_that_is_not_ai_is_inspected_by_its_sni(
    classify: ClassifyAddon,
) -> None:
    client = tflow.tclient_conn()
    classify.tls_clienthello(_hello(client, "203.0.113.7", "api.openai.com"))
    # Inside the tunnel the client names a host that is not AI: domain fronting.
    flow = ai_request("cdn.example.net")
    flow.client_conn = client
    flow.client_conn.sni = "api.openai.com"
    flow.server_conn.address = ("203.0.113.7", 443)
    classify.requestheaders(flow)
    app = exchange(flow).app
    assert app is not None and app.id == "openai"


def _retargeted(client: connection.Client) -> http.HTTPFlow:
    """A request on `client` whose own names are none of them AI: no SNI, a Host that is not
    AI, and a server connection re-targeted to an address."""
    flow = ai_request("cdn.example.net")
    flow.client_conn = client
    flow.client_conn.sni = None
    flow.server_conn.address = ("203.0.113.7", 443)
    return flow


def test_a_connection_decrypted_for_an_ai_name_stays_inspected_when_its_requests_drop_it(
    classify: ClassifyAddon,
) -> None:
    client = tflow.tclient_conn()
    classify.tls_clienthello(_hello(client, "api.openai.com", None))  # CONNECT api.openai.com
    flow = _retargeted(client)
    classify.requestheaders(flow)
    app = exchange(flow).app
    assert app is not None and app.id == "openai"


def test_once_the_decrypted_connection_closes_its_answer_is_forgotten(
    classify: ClassifyAddon,
) -> None:
    client = tflow.tclient_conn()
    classify.tls_clienthello(_hello(client, "api.openai.com", None))
    classify.client_disconnected(client)
    flow = _retargeted(client)
    classify.requestheaders(flow)
    assert exchange(flow).app is None


def test_an_ai_host_that_must_not_be_decrypted_is_tunnelled_and_recorded_as_a_visit(
    classify: ClassifyAddon, visits: Visits
) -> None:
    hello = _hello(tflow.tclient_conn(), "assistant.pinned.example", "assistant.pinned.example")
    classify.tls_clienthello(hello)
    assert hello.ignore_connection is True
    assert visits.recorded == [("assistant.pinned.example", "pinned-assistant")]


def test_nothing_of_a_decrypted_non_http_stream_from_the_client_is_relayed(
    classify: ClassifyAddon,
) -> None:
    client = tflow.tclient_conn()
    classify.tls_clienthello(_hello(client, "203.0.113.7", "api.openai.com"))
    flow = tflow.ttcpflow(client_conn=client, messages=[])
    flow.messages.append(tcp.TCPMessage(True, b"a prompt in some private protocol"))
    classify.tcp_message(flow)
    flow.messages.append(tcp.TCPMessage(False, b"server hello"))
    classify.tcp_message(flow)
    assert [m.content for m in flow.messages] == [b"", b"server hello"]


def test_warden_pages_are_not_classified(classify: ClassifyAddon) -> None:
    flow = ai_request()
    exchange(flow).internal = "pac"
    classify.requestheaders(flow)
    assert exchange(flow).app is None
