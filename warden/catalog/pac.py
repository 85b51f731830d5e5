"""Render a proxy auto-config (PAC) file that sends AI hosts to Warden and nothing else.

The PAC must match exactly the hosts ``Catalog.lookup`` matches, or clients would send Warden
traffic it does not expect, or worse, send AI traffic around it. Two PAC built-ins are looser
than catalog patterns, and the generated code tightens them:

- ``shExpMatch``'s ``*`` also matches dots, so an IN_LABEL or MIDDLE_LABEL pattern is paired
  with a check on the number of labels, which keeps the ``*`` inside a single label.
- ``dnsDomainIs(host, ".openai.azure.com")`` is a plain suffix test; with the leading dot it
  matches any subdomain depth and never the bare domain, which is what ``*.`` means here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from warden.catalog.catalog import Catalog
from warden.catalog.patterns import PatternKind, parse_host_pattern

__all__ = ["check_proxy", "render_pac"]

# host:port where host is a DNS name, IPv4 address or bracketed IPv6 address. Checked strictly
# because the value is pasted into JavaScript that every browser in the company will run.
_PROXY = re.compile(r"(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})")

_HEAD = """\
// Egress Warden proxy auto-config.
// Generated {generated} from AI catalog version {version} ({apps} apps, {patterns} host
// patterns, fingerprint {fingerprint}). Regenerate it from the catalog rather than editing it.
//
// AI hosts go to the proxy with no DIRECT fallback. That is deliberate: were the proxy down,
// "PROXY ...; DIRECT" would let AI traffic silently bypass inspection, so it fails instead.
// With several Warden instances listed, the browser tries them in order, and only them.
// Every other host goes DIRECT and never touches the proxy.

var WARDEN_PROXY = "{proxies}";
"""

_FUNCTION_HEAD = """
function FindProxyForURL(url, host) {
  host = host.toLowerCase();
  // A fully-qualified name may end in a dot; catalog hosts are written without it.
  if (host.charAt(host.length - 1) == ".") {
    host = host.substring(0, host.length - 1);
  }
  if (WARDEN_EXACT_HOSTS.hasOwnProperty(host)) {
    return WARDEN_PROXY;
  }
  var labels = host.split(".").length;
"""

_FUNCTION_TAIL = """\
  return "DIRECT";
}
"""


def render_pac(catalog: Catalog, proxy: str | Sequence[str], *, now: datetime | None = None) -> str:
    """The PAC file for ``catalog``, sending its hosts to ``proxy`` ("host:port"), or to the
    first of several instances that answers."""
    proxies = [proxy] if isinstance(proxy, str) else list(proxy)
    if not proxies:
        raise ValueError("at least one proxy (host:port) is needed")
    for one in proxies:
        check_proxy(one)
    exact: list[tuple[str, str]] = []
    rules: list[str] = []
    # Every catalog host goes to the proxy, intercepted or not: the proxy still sees the
    # CONNECT of an intercept-false app, so it can log it and apply host-level policy.
    for entry in catalog.entries:
        for text in entry.hosts:
            pattern = parse_host_pattern(text)
            if pattern.kind is PatternKind.EXACT:
                exact.append((pattern.text, entry.id))
                continue
            if pattern.kind is PatternKind.SUBDOMAINS:
                test = f'dnsDomainIs(host, "{pattern.suffix}")'
            else:
                test = f'labels == {pattern.labels} && shExpMatch(host, "{pattern.text}")'
            rules.append(f"  if ({test}) {{\n    return WARDEN_PROXY;  // {entry.id}\n  }}\n")

    generated = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = _HEAD.format(
        generated=generated,
        version=catalog.version,
        apps=len(catalog),
        patterns=len(exact) + len(rules),
        fingerprint=catalog.fingerprint(),
        proxies="; ".join(f"PROXY {one}" for one in proxies),
    )
    # An object keyed by host makes the common case one property lookup, not a chain of ==.
    # No comma after the last member: old JScript PAC engines reject a trailing comma.
    table = "".join(
        f'  "{host}": true{"," if i < len(exact) - 1 else ""}  // {app}\n'
        for i, (host, app) in enumerate(exact)
    )
    exact_block = f"\nvar WARDEN_EXACT_HOSTS = {{\n{table}}};\n"
    return head + exact_block + _FUNCTION_HEAD + "".join(rules) + _FUNCTION_TAIL


def check_proxy(proxy: str) -> None:
    match = _PROXY.fullmatch(proxy)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise ValueError(f"proxy must be host:port, e.g. warden.corp.example:3128; got {proxy!r}")
