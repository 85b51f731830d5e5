"""Serves the PAC file (and the CA certificate) to devices that ask the proxy port directly.

Devices are configured with `http://<proxy>:<port>/proxy.pac`; they fetch it without proxy
credentials, so this addon answers before identity asks for any.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mitmproxy import ctx, exceptions, http

from addons.exchange import exchange
from addons.runtime import RuntimeAddon
from warden.catalog.pac import check_proxy, render_pac

log = logging.getLogger("warden.pac")

PAC_PATHS = ("/proxy.pac", "/wpad.dat")
CA_PATHS = ("/ca.pem", "/ca.crt")


class PacAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_pac_proxies",
            str,
            "",
            "Every Warden instance devices may use, host:port, comma-separated, in the order "
            "they should try them; the served PAC lists them all. Empty: the name and port "
            "the device reached this instance under.",
        )

    def configure(self, updated: set[str]) -> None:
        if "warden_pac_proxies" in updated:
            # Checked at start, so a typo stops `warden run` instead of every PAC request.
            for proxy in self._listed():
                try:
                    check_proxy(proxy)
                except ValueError as e:
                    raise exceptions.OptionsError(f"warden_pac_proxies: {e}") from None

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or not flow.live or not addressed_to_proxy(flow):
            return
        path = flow.request.path.split("?", 1)[0]
        if path in PAC_PATHS:
            # The device reached us under this name, so it can reach the proxy under it too.
            host = flow.request.host
            # mitmproxy gives an IPv6 literal without its brackets; "fd00::5:8080" is no
            # host:port, so render_pac raised and Warden never answered the PAC request.
            if ":" in host:
                host = f"[{host}]"
            proxies = self._listed() or [f"{host}:{flow.request.port}"]
            pac = render_pac(self._runtime.current().catalog, proxies)
            flow.response = http.Response.make(
                200, pac, {"Content-Type": "application/x-ns-proxy-autoconfig"}
            )
            exchange(flow).internal = "pac"
        elif path in CA_PATHS:
            cert = Path(ctx.options.confdir).expanduser() / "mitmproxy-ca-cert.pem"
            flow.response = http.Response.make(
                200, cert.read_bytes(), {"Content-Type": "application/x-x509-ca-cert"}
            )
            exchange(flow).internal = "ca"

    def _listed(self) -> list[str]:
        return [p.strip() for p in ctx.options.warden_pac_proxies.split(",") if p.strip()]


def addressed_to_proxy(flow: http.HTTPFlow) -> bool:
    """Plain HTTP on the proxy's own port: an origin-form request to us, not through us."""
    sockname = flow.client_conn.sockname
    return (
        not flow.client_conn.tls
        and flow.request.scheme == "http"
        and bool(sockname)
        and flow.request.port == sockname[1]
    )
