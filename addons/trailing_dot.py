"""Treats a host name written with a trailing dot ("api.openai.com.") as the name without it.

A client may write a host as an absolute DNS name, with a final dot (`curl --resolve`,
`openssl s_client -servername api.openai.com.`), in its CONNECT line and in its TLS
ClientHello, although RFC 6066 says a server name carries no trailing dot. mitmproxy copies
the client's server name into its own ClientHello to the upstream and into the upstream
certificate check (tlsconfig.tls_start_server). The OpenSSL that pyOpenSSL ships refuses a
name ending in a dot there (X509_VERIFY_PARAM_set1_host), so that hook raised after creating
the upstream TLS connection but before switching it to client mode: the proxy and the
provider then each waited for the other's hello, the client's handshake hung until the
provider gave up (45-60 s), and its request never arrived.

So the CONNECT target loses its dot before mitmproxy connects (and before the ClientHello is
classified), and the name for the upstream TLS is set before tlsconfig would copy the
client's. The client's own ClientHello is left as it was sent: the certificate Warden makes
names both forms, the client's and the target's.
"""

from __future__ import annotations

from mitmproxy import http, tls
from mitmproxy.proxy import server_hooks

__all__ = ["TrailingDotAddon"]


class TrailingDotAddon:
    def http_connect(self, flow: http.HTTPFlow) -> None:
        # mitmproxy takes the server address from the request after this hook.
        if flow.request.host.endswith("."):
            flow.request.host = flow.request.host.rstrip(".")

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        # The upstream TLS of a tunnel: mitmproxy would take the client's server name, or the
        # CONNECT target, when it starts it.
        server = data.context.server
        if server.sni is None:
            name = data.context.client.sni or (server.address[0] if server.address else None)
            if name and name.endswith("."):
                server.sni = name.rstrip(".")

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        # Connections the HTTP layer opens itself already carry the name they will use.
        sni = data.server.sni
        if sni and sni.endswith("."):
            data.server.sni = sni.rstrip(".")
