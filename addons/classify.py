"""Decides which connections are decrypted and which requests are inspected, with one answer.

The decision to decrypt is made at the TLS ClientHello, before any certificate is forged, from
the CONNECT target and the SNI (warden/catalog/classify.py): a non-AI site sees an untouched
TLS session and the client sees the site's own certificate. Each request is then classified
again with its Host header added, and a connection decrypted because one of its names is an AI
host is inspected whatever its requests claim: a decrypted flow is never left uninspected. Nor
is a decrypted connection that turns out not to speak HTTP: nothing of it is relayed, since
Warden cannot read it. Names that disagree are recorded on the flow for the alert rules (`evasion`).
"""

from __future__ import annotations

import logging

from mitmproxy import connection, http, tcp, tls

from addons.audit import AuditAddon
from addons.exchange import exchange
from addons.runtime import RuntimeAddon
from warden.catalog.classify import Classification, classify

log = logging.getLogger("warden.classify")


class ClassifyAddon:
    def __init__(self, runtime: RuntimeAddon, audit: AuditAddon) -> None:
        self._runtime = runtime
        self._audit = audit
        # The answer each decrypted client connection was decrypted on, until it closes.
        self._decrypted: dict[str, Classification] = {}

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        server = data.context.server.address
        answer = classify(
            self._runtime.current().catalog,
            connect=server[0] if server else None,
            sni=data.client_hello.sni,
        )
        if answer.intercept:
            self._decrypted[data.context.client.id] = answer
            return
        data.ignore_connection = True
        if answer.entry is not None:
            # An AI host we were told not to decrypt: still worth knowing it was used.
            host = next(name for _, name in reversed(answer.names))
            self._audit.record_visit(data.context.client, host, answer.entry)
        else:
            log.debug("tunnel to %s (not an AI host)", answer.describe() or "?")

    def client_disconnected(self, client: connection.Client) -> None:
        self._decrypted.pop(client.id, None)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or exchange(flow).internal:
            return
        server = flow.server_conn.address
        answer = classify(
            self._runtime.current().catalog,
            connect=server[0] if server else None,
            sni=flow.client_conn.sni,
            # The Host header (HTTP/1) or :authority (HTTP/2), else the absolute URL's host.
            host=flow.request.host_header or flow.request.host,
        )
        entry = answer.entry
        decrypted = self._decrypted.get(flow.client_conn.id)
        if entry is None and decrypted is not None:
            entry = decrypted.entry  # decrypted for an AI name: inspected whatever it says now
        if entry is None:
            return
        exchange(flow).app = entry
        exchange(flow).classification = answer
        if answer.disagree:
            log.warning("flow %s: names disagree (%s)", flow.id, answer.describe())

    def tcp_message(self, flow: tcp.TCPFlow) -> None:
        # A decrypted connection to an AI host whose content is not HTTP: nothing Warden can
        # read, so nothing of it is relayed (mitmproxy cannot close a TCP flow from a hook).
        decrypted = self._decrypted.get(flow.client_conn.id)
        message = flow.messages[-1] if flow.messages else None
        if decrypted is not None and message is not None and message.from_client:
            if len(flow.messages) == 1:
                log.warning("not relaying a decrypted non-HTTP stream (%s)", decrypted.describe())
            message.content = b""
