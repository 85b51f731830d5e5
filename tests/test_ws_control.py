"""Client control frames reach the AI host empty: mitmproxy relays them without a hook."""

from __future__ import annotations

import logging

import wsproto.events
from mitmproxy import connection
from mitmproxy.proxy.layers.websocket import WebsocketConnection
from wsproto import ConnectionType
from wsproto.connection import ConnectionState
from wsproto.frame_protocol import CloseReason

from addons import ws_control

SECRET = b"sk-proj-" + b"A1b2" * 10


def _open(kind: ConnectionType, conn: connection.Connection) -> WebsocketConnection:
    ws = WebsocketConnection(kind, conn=conn)
    ws._state = ConnectionState.OPEN  # as after the handshake mitmproxy relays
    return ws


def _received(data: bytes) -> list[wsproto.events.Event]:
    """What the AI host's end reads from `data` (client frames are masked on the wire)."""
    host = wsproto.Connection(ConnectionType.SERVER)
    host._state = ConnectionState.OPEN
    host.receive_data(data)
    return list(host.events())


def test_pings_and_close_reasons_to_the_server_leave_empty_and_unlogged(caplog) -> None:
    ws_control.install()
    ws_control.install()  # idempotent
    to_server = _open(ConnectionType.CLIENT, connection.Server(address=("api.openai.com", 443)))
    [ping] = _received(to_server.send2(wsproto.events.Ping(payload=SECRET)).data)
    assert isinstance(ping, wsproto.events.Ping) and ping.payload == b""
    close = wsproto.events.CloseConnection(code=CloseReason.NORMAL_CLOSURE, reason=SECRET.decode())
    [closed] = _received(to_server.send2(close).data)
    assert isinstance(closed, wsproto.events.CloseConnection)
    assert (closed.code, closed.reason) == (CloseReason.NORMAL_CLOSURE, "")

    client = connection.Client(peername=("127.0.0.1", 1), sockname=("127.0.0.1", 2))
    to_client = _open(ConnectionType.SERVER, client)
    assert SECRET in to_client.send2(wsproto.events.Ping(payload=SECRET)).data  # untouched

    with caplog.at_level(logging.INFO, logger="mitmproxy.proxy.server"):
        logging.getLogger("mitmproxy.proxy.server").info(
            "Received WebSocket ping from client (payload: %r)", SECRET
        )
    assert SECRET.decode() not in caplog.text
