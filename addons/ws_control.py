"""WebSocket control frames from a client carry nothing to an AI host but the control itself.

mitmproxy relays ping, pong and close frames without calling any hook, and logs ping and pong
payloads, so what a client puts in a ping payload (up to 125 bytes: room for a key) or in a
close reason would reach the provider, and Warden's log, unread. Warden sends them on empty
instead: a ping still pings and a close still carries its code, but no words go with them.
Only decrypted connections (AI hosts) have a WebSocket layer; tunnels are untouched.

This reaches into mitmproxy's WebSocket layer (WebsocketConnection.send2, the one place every
relayed frame passes); tests/test_ws_control.py fails if that changes shape.
"""

from __future__ import annotations

import logging
from typing import Any

import wsproto.events
from mitmproxy import connection
from mitmproxy.proxy.layers.websocket import WebsocketConnection

__all__ = ["install"]

_MARK = "_warden_empties_control_frames"


def install() -> None:
    """Patch the relay once per process; calling it again does nothing."""
    relay = WebsocketConnection.send2
    if getattr(relay, _MARK, False):
        return

    def send2(self: WebsocketConnection, event: wsproto.events.Event) -> Any:
        if isinstance(self.conn, connection.Server):  # on its way to the AI host
            event = emptied(event)
        return relay(self, event)

    setattr(send2, _MARK, True)
    WebsocketConnection.send2 = send2  # type: ignore[method-assign]
    logging.getLogger("mitmproxy.proxy.server").addFilter(_no_control_payloads)


def emptied(event: wsproto.events.Event) -> wsproto.events.Event:
    """The same control frame without its payload or reason."""
    if isinstance(event, wsproto.events.Ping) and event.payload:
        return wsproto.events.Ping()
    if isinstance(event, wsproto.events.Pong) and event.payload:
        return wsproto.events.Pong()
    if isinstance(event, wsproto.events.CloseConnection) and event.reason:
        return wsproto.events.CloseConnection(code=event.code)
    return event


def _no_control_payloads(record: logging.LogRecord) -> bool:
    # mitmproxy logs "Received WebSocket ping from ... (payload: b'...')": the payload is
    # whatever the client sent.
    return not str(record.msg).startswith(("Received WebSocket ping", "Received WebSocket pong"))
