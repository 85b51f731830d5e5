"""Decides which connections are decrypted: AI catalog hosts only; everything else is a tunnel.

The decision is made at the TLS ClientHello, before any certificate is forged, so a non-AI
site sees an untouched TLS session and the client sees the site's own certificate.
"""

from __future__ import annotations

import logging

from mitmproxy import http, tls

from addons.audit import AuditAddon
from addons.runtime import RuntimeAddon

log = logging.getLogger("warden.classify")


class ClassifyAddon:
    def __init__(self, runtime: RuntimeAddon, audit: AuditAddon) -> None:
        self._runtime = runtime
        self._audit = audit

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        catalog = self._runtime.current().catalog
        server = data.context.server.address
        # Both names count: a client that CONNECTs to an AI host but sends another SNI (or
        # the reverse) must not slip through as an opaque tunnel.
        names = [n for n in (data.client_hello.sni, server[0] if server else None) if n]
        entries = [(name, catalog.lookup(name)) for name in names]
        matched = [(name, entry) for name, entry in entries if entry is not None]
        if any(entry.intercept for _, entry in matched):
            return
        data.ignore_connection = True
        if matched:
            # An AI host we were told not to decrypt: still worth knowing it was used.
            host, entry = matched[0]
            self._audit.record_visit(data.context.client, host, entry)
        else:
            log.debug("tunnel to %s (not an AI host)", names[0] if names else "?")

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or flow.metadata.get("warden.internal"):
            return
        catalog = self._runtime.current().catalog
        # The Host header can differ from where the connection really goes (the CONNECT
        # target); either one being an AI host makes this an AI request.
        server = flow.server_conn.address
        # request.host is the Host header's host (or the absolute URL's); no need to re-parse
        # it through pretty_host on every request.
        for name in (flow.request.host, server[0] if server else None):
            entry = catalog.lookup(name) if name else None
            if entry is not None:
                flow.metadata["warden.app"] = entry
                return
