from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from warden.catalog import AppKind, Catalog, CatalogEntry, Sanction, render_pac

from .test_catalog import NOT_AI, REQUIRED
from .test_catalog_data import _example

PROXY = "warden.corp.example:3128"
NODE = shutil.which("node")

# Evaluates a PAC file the way a browser does: in a fresh context holding only the PAC
# built-ins. dnsDomainIs and shExpMatch follow Mozilla's pac_utils.js.
_RUNNER = r"""
const vm = require("vm");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const sandbox = {
  dnsDomainIs(host, domain) {
    return host.length >= domain.length &&
      host.substring(host.length - domain.length) == domain;
  },
  shExpMatch(url, pattern) {
    pattern = pattern.replace(/\./g, "\\.").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp("^" + pattern + "$").test(url);
  },
};
vm.createContext(sandbox);
vm.runInContext(input.pac, sandbox);
const answers = {};
for (const host of input.hosts) {
  answers[host] = sandbox.FindProxyForURL("https://" + host + "/", host);
}
process.stdout.write(JSON.stringify(answers));
"""


def _evaluate(pac: str, hosts: list[str]) -> dict[str, str]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", _RUNNER],
        input=json.dumps({"pac": pac, "hosts": hosts}),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed; cannot run the PAC")


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return Catalog.default()


@needs_node
def test_pac_proxies_exactly_the_catalog_hosts(shipped: Catalog) -> None:
    hosts = [
        *REQUIRED,
        *NOT_AI[:-2],  # "" and bracketed IPv6 are not host names a browser would pass
        "API.OpenAI.com",
        "api.openai.com.",
        "a.b.c.openai.azure.com",
        # A name for every pattern of the whole catalog, and near misses beside each.
        *(_example(host) for entry in shipped for host in entry.hosts),
        *(f"x{_example(host)}" for entry in shipped for host in entry.hosts),
        *(f"{_example(host)}.example.net" for entry in shipped for host in entry.hosts),
    ]
    answers = _evaluate(render_pac(shipped, PROXY), hosts)
    for host in hosts:
        expected = f"PROXY {PROXY}" if shipped.lookup(host) else "DIRECT"
        assert answers[host] == expected, host
    # Spot checks that do not lean on lookup being right.
    assert answers["api.openai.com"] == f"PROXY {PROXY}"
    assert answers["us-central1-aiplatform.googleapis.com"] == f"PROXY {PROXY}"
    assert answers["openai.azure.com"] == "DIRECT"
    assert answers["x.us-central1-aiplatform.googleapis.com"] == "DIRECT"
    assert answers["bedrock-runtime.a.b.amazonaws.com"] == "DIRECT"
    assert answers["example.com"] == "DIRECT"
    assert answers["openai.com.evil.net"] == "DIRECT"


@needs_node
def test_pac_routes_tunnelled_apps_and_handles_empty_catalog() -> None:
    pinned = CatalogEntry(
        id="pinned",
        name="Pinned",
        vendor="Test",
        kind=AppKind.API,
        schema="generic",
        hosts=("pin.example.com",),
        sanctioned=Sanction.TOLERATED,
        intercept=False,
    )
    answers = _evaluate(render_pac(Catalog([pinned]), PROXY), ["pin.example.com", "x.com"])
    assert answers == {"pin.example.com": f"PROXY {PROXY}", "x.com": "DIRECT"}
    answers = _evaluate(render_pac(Catalog([]), PROXY), ["api.openai.com"])
    assert answers == {"api.openai.com": "DIRECT"}


def test_pac_fails_closed_and_has_a_header(shipped: Catalog) -> None:
    when = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    pac = render_pac(shipped, PROXY, now=when)
    assert "function FindProxyForURL(url, host)" in pac
    assert f'"PROXY {PROXY}"' in pac
    assert "; DIRECT" not in pac.replace('"PROXY ...; DIRECT"', "")
    assert "2025-03-01T12:00:00Z" in pac
    assert f"catalog version {shipped.version}" in pac
    assert shipped.fingerprint() in pac
    assert "host.toLowerCase()" in pac


@pytest.mark.parametrize(
    "proxy",
    ["warden", "warden:", "warden:0", "warden:70000", 'a";alert(1);"b:80', "http://w:3128", ""],
)
def test_pac_refuses_bad_proxy(shipped: Catalog, proxy: str) -> None:
    with pytest.raises(ValueError, match="host:port"):
        render_pac(shipped, proxy)


def test_pac_accepts_ip_proxies(shipped: Catalog) -> None:
    assert '"PROXY 10.1.2.3:8080"' in render_pac(shipped, "10.1.2.3:8080")
    assert '"PROXY [fd00::1]:8080"' in render_pac(shipped, "[fd00::1]:8080")


@needs_node
def test_pac_with_several_instances_tries_them_in_order_and_never_direct(
    shipped: Catalog,
) -> None:
    pac = render_pac(shipped, ["warden-a.corp:8080", "10.0.0.7:3128"])
    answers = _evaluate(pac, ["api.openai.com", "example.org"])
    assert answers == {
        "api.openai.com": "PROXY warden-a.corp:8080; PROXY 10.0.0.7:3128",
        "example.org": "DIRECT",
    }


def test_pac_refuses_no_instance_and_a_bad_one_among_several(shipped: Catalog) -> None:
    with pytest.raises(ValueError, match="at least one proxy"):
        render_pac(shipped, [])
    with pytest.raises(ValueError, match="host:port"):
        render_pac(shipped, ["a.corp:8080", "b.corp"])
