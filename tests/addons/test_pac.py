"""PacAddon: devices fetch the PAC file and the CA certificate from the proxy's own address,
without credentials; the same paths requested through the proxy to another site are not
answered by Warden."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow

from addons.certs import ca_cert_path, ensure_ca
from addons.exchange import exchange
from addons.pac import PacAddon
from addons.runtime import RuntimeAddon
from tests.addons.traffic import configure

PROXY = ("10.0.0.5", 8080)
SITE_CATALOG = """
version: 1
apps:
  - id: internal-llm
    name: Internal LLM gateway
    vendor: Example
    kind: api
    schema: openai
    hosts: [llm.corp.example]
    sanctioned: sanctioned
"""


@pytest.fixture
def pac(tmp_path: Path) -> Iterator[PacAddon]:
    runtime = RuntimeAddon()
    catalog = tmp_path / "site-catalog.yaml"
    catalog.write_text(SITE_CATALOG)
    certs = tmp_path / "certs"
    ensure_ca(certs)
    addon = PacAddon(runtime)
    with taddons.context(runtime, addon) as tctx:
        configure(tctx, runtime, tmp_path, warden_catalog=str(catalog), confdir=str(certs))
        yield addon


def _to_proxy(path: str, host: str = PROXY[0]) -> http.HTTPFlow:
    """A plain-HTTP GET addressed to the proxy's own listening address."""
    flow = tflow.tflow()
    flow.client_conn.sockname = PROXY
    flow.request.method, flow.request.scheme = "GET", "http"
    flow.request.host, flow.request.port = host, PROXY[1]
    flow.request.path = path
    return flow


def test_the_pac_file_sends_ai_hosts_to_the_address_the_device_used(pac: PacAddon) -> None:
    flow = _to_proxy("/proxy.pac", host="warden.corp.example")
    pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200
    assert flow.response.headers["Content-Type"] == "application/x-ns-proxy-autoconfig"
    script = flow.response.text or ""
    assert 'var WARDEN_PROXY = "PROXY warden.corp.example:8080";' in script
    assert '"api.openai.com": true' in script
    assert '"llm.corp.example": true' in script  # the site's own catalog file counts too
    assert exchange(flow).internal == "pac"  # Warden's page: no login, no audit event


def test_a_device_that_reached_the_proxy_over_ipv6_gets_a_pac_file_naming_it(
    pac: PacAddon,
) -> None:
    # http://[fd00::5]:8080/proxy.pac: mitmproxy gives the host without its brackets.
    flow = _to_proxy("/proxy.pac", host="fd00::5")
    pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200
    assert 'var WARDEN_PROXY = "PROXY [fd00::5]:8080";' in (flow.response.text or "")


def test_wpad_is_the_same_pac_file(pac: PacAddon) -> None:
    flow = _to_proxy("/wpad.dat?refresh=1")
    pac.requestheaders(flow)
    assert flow.response is not None and "FindProxyForURL" in (flow.response.text or "")


def test_the_ca_certificate_is_the_one_warden_signs_with(pac: PacAddon, tmp_path: Path) -> None:
    for path in ("/ca.pem", "/ca.crt"):
        flow = _to_proxy(path)
        pac.requestheaders(flow)
        assert flow.response is not None and flow.response.status_code == 200
        assert flow.response.headers["Content-Type"] == "application/x-x509-ca-cert"
        assert flow.response.content == ca_cert_path(tmp_path / "certs").read_bytes()
        assert exchange(flow).internal == "ca"


def test_the_same_path_on_another_site_is_forwarded_not_answered(pac: PacAddon) -> None:
    through = _to_proxy("/proxy.pac", host="intranet.example.com")
    through.request.port = 80  # an absolute-form request through the proxy
    pac.requestheaders(through)
    assert through.response is None and exchange(through).internal is None

    over_tls = _to_proxy("/ca.pem")
    over_tls.request.scheme = "https"
    pac.requestheaders(over_tls)
    assert over_tls.response is None


def test_other_paths_on_the_proxy_address_are_left_to_later_addons(pac: PacAddon) -> None:
    flow = _to_proxy("/healthz")
    pac.requestheaders(flow)
    assert flow.response is None


@pytest.fixture
def fleet_pac(tmp_path: Path) -> Iterator[tuple[PacAddon, taddons.context]]:
    runtime = RuntimeAddon()
    certs = tmp_path / "certs"
    ensure_ca(certs)
    addon = PacAddon(runtime)
    with taddons.context(runtime, addon) as tctx:
        configure(tctx, runtime, tmp_path, confdir=str(certs))
        yield addon, tctx


def test_the_served_pac_lists_every_instance_in_order_and_no_direct(
    fleet_pac: tuple[PacAddon, taddons.context],
) -> None:
    addon, tctx = fleet_pac
    tctx.configure(addon, warden_pac_proxies="warden-a.corp:8080, warden-b.corp:8080")
    flow = _to_proxy("/proxy.pac", host="warden-b.corp")  # whichever instance it reached
    addon.requestheaders(flow)
    assert flow.response is not None
    text = flow.response.get_text()
    assert 'var WARDEN_PROXY = "PROXY warden-a.corp:8080; PROXY warden-b.corp:8080";' in text
    assert "DIRECT" not in text.split("var WARDEN_PROXY", 1)[1].split(";\n", 1)[0]


def test_a_malformed_instance_is_refused_when_set(
    fleet_pac: tuple[PacAddon, taddons.context],
) -> None:
    addon, tctx = fleet_pac
    with pytest.raises(Exception, match="warden_pac_proxies: proxy must be host:port"):
        tctx.configure(addon, warden_pac_proxies='a:1,b";DIRECT;"c:2')
