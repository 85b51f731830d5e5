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
        server = data.context.server.address
        host = data.client_hello.sni or (server[0] if server else "")
        entry = self._runtime.current().catalog.lookup(host) if host else None
        if entry is not None and entry.intercept:
            return
        data.ignore_connection = True
        if entry is not None:
            # An AI host we were told not to decrypt: still worth knowing it was used.
            self._audit.record_visit(data.context.client, host, entry)
        else:
            log.debug("tunnel to %s (not an AI host)", host)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or flow.metadata.get("warden.internal"):
            return
        entry = self._runtime.current().catalog.lookup(flow.request.pretty_host)
        if entry is not None:
            flow.metadata["warden.app"] = entry
