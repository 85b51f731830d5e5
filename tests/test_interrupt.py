"""addons/interrupt.py against mitmproxy's real HTTP/1 layer: requests are answered before their
body is complete, and the parts of mitmproxy it reaches into are still there. A failure here
after a mitmproxy upgrade means interrupt.py must be brought in line with the new version."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable

import h2.config
import h2.connection
import h2.events
import pytest
from mitmproxy import connection, http, options
from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.connection import ConnectionState
from mitmproxy.proxy import commands, events, layer, server
from mitmproxy.proxy.context import Context
from mitmproxy.proxy.layers import TCPLayer
from mitmproxy.proxy.layers.http import HttpLayer, HTTPMode, HttpStream
from mitmproxy.proxy.mode_servers import ProxyConnectionHandler

from addons import interrupt

POST = (
    b"POST http://api.example/v1/chat HTTP/1.1\r\nHost: api.example\r\nContent-Length: 100\r\n\r\n"
)
GET = b"GET http://api.example/v1/models HTTP/1.1\r\nHost: api.example\r\n\r\n"


class Watch:
    """A BodyWatch that refuses bodies past `limit` and answers late ones with 408."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self.progress: list[int] = []

    def body_progress(self, flow: http.HTTPFlow, buffered: int) -> http.Response | None:
        self.progress.append(buffered)
        return http.Response.make(413, b"too large") if buffered > self.limit else None

    def body_deadline(self, flow: http.HTTPFlow) -> http.Response | None:
        return http.Response.make(408, b"too late")


class Proxy:
    """Drives a layer stack the way mitmproxy's connection handler does, completing every hook
    at once; `on_hook` plays the addons."""

    def __init__(
        self,
        watch: Watch,
        on_hook: Callable[[commands.StartHook], None] | None = None,
        http2: bool = False,
    ) -> None:
        opts = options.Options()
        Proxyserver().load(opts)  # the proxy core's options (validate_inbound_headers, ...)
        self.client = connection.Client(
            peername=("127.0.0.1", 50000),
            sockname=("127.0.0.1", 8080),
            timestamp_start=time.time(),
            state=ConnectionState.OPEN,
        )
        mode = HTTPMode.regular
        if http2:  # decrypted HTTP/2 inside a tunnel, as a browser speaks to an AI web app
            self.client.alpn, mode = b"h2", HTTPMode.transparent
        self.watch = watch
        self.on_hook = on_hook or (lambda hook: None)
        context = Context(self.client, opts)
        context.server.address, context.server.tls = ("api.example", 443), True
        self.top = interrupt.WatchedHttpLayer(context, mode, watch)
        self.sent = bytearray()
        self.hooks: list[str] = []
        self.flows: list[http.HTTPFlow] = []
        self.closed = False
        self.feed(events.Start())

    def feed(self, event: events.Event) -> None:
        queue = [event]
        while queue:
            for command in self.top.handle_event(queue.pop(0)):
                if isinstance(command, commands.SendData):
                    self.sent += command.data
                elif isinstance(command, commands.CloseConnection):
                    self.closed = True
                elif isinstance(command, commands.OpenConnection):
                    queue.append(events.OpenConnectionCompleted(command, None))
                elif isinstance(command, commands.StartHook):
                    self.hooks.append(command.name)
                    (data,) = command.args()
                    if command.name == "requestheaders":
                        self.flows.append(data)
                    self.on_hook(command)
                    if command.blocking:
                        queue.append(events.HookCompleted(command))

    def send(self, data: bytes) -> None:
        self.feed(events.DataReceived(self.client, data))


def _refuse_at_headers(hook: commands.StartHook) -> None:
    """Plays an addon that refuses every request at its headers."""
    if hook.name == "requestheaders":
        (flow,) = hook.args()
        flow.response = http.Response.make(503, b"busy")


def test_response_set_at_requestheaders_is_sent_before_the_body_arrives() -> None:
    proxy = Proxy(Watch(), _refuse_at_headers)
    proxy.send(POST + b"x" * 10)
    assert proxy.sent.startswith(b"HTTP/1.1 503")
    assert proxy.sent.endswith(b"busy")
    assert proxy.hooks == ["requestheaders", "responseheaders", "response"]  # no "request"
    assert not proxy.closed


def test_the_rest_of_an_answered_body_is_dropped_and_the_connection_serves_on() -> None:
    proxy = Proxy(Watch(), _refuse_at_headers)
    proxy.send(POST + b"x" * 10)
    proxy.send(b"x" * 90 + GET)  # the end of the refused body, then the next request
    assert proxy.sent.count(b"HTTP/1.1 503") == 2  # the GET was read as a request of its own
    assert [f.request.method for f in proxy.flows] == ["POST", "GET"]
    assert proxy.flows[0].request.content in (b"", None)  # nothing of the body was kept


def test_body_without_a_response_is_buffered_and_reported_chunk_by_chunk() -> None:
    watch = Watch()
    proxy = Proxy(watch)
    proxy.send(POST + b"x" * 10)
    proxy.send(b"x" * 40)
    assert watch.progress == [10, 50]
    assert proxy.sent == b""
    proxy.send(b"x" * 50)
    assert "request" in proxy.hooks
    assert proxy.flows[0].request.content == b"x" * 100


def test_watch_answers_a_body_past_its_limit_and_drops_the_buffer() -> None:
    proxy = Proxy(Watch(limit=30))
    proxy.send(POST + b"x" * 20)
    assert proxy.sent == b""
    proxy.send(b"x" * 20)
    assert proxy.sent.startswith(b"HTTP/1.1 413")
    assert "request" not in proxy.hooks
    assert proxy.flows[0].response is not None and proxy.flows[0].response.status_code == 413


def test_body_deadline_answers_408_and_closes_the_connection() -> None:
    proxy = Proxy(Watch())
    proxy.send(POST + b"x" * 10)
    proxy.feed(interrupt.BodyDeadline(proxy.flows[0]))
    assert proxy.sent.startswith(b"HTTP/1.1 408")
    assert proxy.closed


def test_body_deadline_after_the_body_arrived_changes_nothing() -> None:
    proxy = Proxy(Watch())
    proxy.send(POST + b"x" * 100)
    proxy.feed(interrupt.BodyDeadline(proxy.flows[0]))
    assert b"408" not in proxy.sent
    assert not proxy.closed


def test_body_deadline_reaches_a_request_inside_a_connect_tunnel() -> None:
    def next_layer(hook: commands.StartHook) -> None:
        if hook.name == "next_layer":
            (nextlayer,) = hook.args()
            # What mitmproxy's next_layer addon decides for plain HTTP in a tunnel.
            nextlayer.layer = HttpLayer(nextlayer.context, HTTPMode.transparent)
            interrupt.install(nextlayer, proxy.watch)

    proxy = Proxy(Watch(), next_layer)
    proxy.send(b"CONNECT api.example:80 HTTP/1.1\r\nHost: api.example:80\r\n\r\n")
    assert proxy.sent.startswith(b"HTTP/1.1 200")
    proxy.sent.clear()
    proxy.send(b"POST /v1/chat HTTP/1.1\r\nHost: api.example\r\nContent-Length: 100\r\n\r\nxx")
    [inner] = proxy.flows
    proxy.feed(interrupt.BodyDeadline(inner))
    assert proxy.sent.startswith(b"HTTP/1.1 408")
    assert proxy.closed


def test_http2_streams_are_answered_early_one_by_one() -> None:
    def refuse_first(hook: commands.StartHook) -> None:
        if hook.name == "requestheaders" and len(proxy.flows) == 1:
            _refuse_at_headers(hook)

    proxy = Proxy(Watch(limit=30), refuse_first, http2=True)
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()

    def exchange() -> list[h2.events.Event]:
        proxy.send(client.data_to_send())
        received = client.receive_data(bytes(proxy.sent))
        proxy.sent.clear()
        return received

    headers = [
        (":method", "POST"),
        (":path", "/v1/chat"),
        (":scheme", "https"),
        (":authority", "api.example"),
        ("content-length", "100"),
    ]
    client.send_headers(1, headers)
    client.send_data(1, b"x" * 10)
    [answer] = [e for e in exchange() if isinstance(e, h2.events.ResponseReceived)]
    assert (answer.stream_id, dict(answer.headers)[b":status"]) == (1, b"503")
    client.send_data(1, b"x" * 90, end_stream=True)  # the rest, dropped
    client.send_headers(3, headers)  # the next stream is read as usual...
    client.send_data(3, b"x" * 40)  # ...and refused by the watch past its limit
    [answer] = [e for e in exchange() if isinstance(e, h2.events.ResponseReceived)]
    assert (answer.stream_id, dict(answer.headers)[b":status"]) == (3, b"413")
    assert not proxy.closed


def test_install_replaces_only_mitmproxys_http_layer() -> None:
    proxy = Proxy(Watch())
    context = proxy.top.context.fork()
    nextlayer = layer.NextLayer(context)
    nextlayer.layer = HttpLayer(context, HTTPMode.transparent)
    interrupt.install(nextlayer, proxy.watch)
    assert type(nextlayer.layer) is interrupt.WatchedHttpLayer
    assert context.layers.count(nextlayer.layer) == 1
    assert not any(type(x) is HttpLayer for x in context.layers)
    other = layer.NextLayer(context)
    other.layer = tcp = TCPLayer(context)
    interrupt.install(other, proxy.watch)
    assert other.layer is tcp


def test_mitmproxy_still_has_what_interrupt_reaches_into() -> None:
    """The names interrupt.py uses outside of the HTTP stream's own state machine."""
    for name in ("connections", "inject_event"):
        assert hasattr(Proxyserver(), name), name
    assert inspect.iscoroutinefunction(ProxyConnectionHandler.on_timeout)
    assert issubclass(ProxyConnectionHandler, server.ConnectionHandler)
    watchdog = server.TimeoutWatchdog(1, lambda: asyncio.sleep(0))
    assert isinstance(watchdog.can_timeout, asyncio.Event)
    for name in (
        "state_wait_for_request_headers",
        "state_consume_request_body",
        "send_response",
        "flow_done",
        "check_killed",
    ):
        assert callable(getattr(HttpStream, name)), name
    assert "stream_id" in inspect.signature(HttpLayer.make_stream).parameters


@pytest.mark.asyncio
async def test_close_client_and_hook_running_find_the_connection(monkeypatch) -> None:
    class Handler:
        def __init__(self) -> None:
            self.timeout_watchdog = server.TimeoutWatchdog(30, self.on_timeout)
            self.closed = asyncio.Event()

        async def on_timeout(self) -> None:
            self.closed.set()

    client = Proxy(Watch()).client
    handler = Handler()
    proxyserver = Proxyserver()
    proxyserver.connections[client.id] = handler  # type: ignore[assignment]
    monkeypatch.setattr(interrupt, "_proxyserver", lambda: proxyserver)
    assert not interrupt.hook_running(client)
    with handler.timeout_watchdog.disarm():  # what mitmproxy does while a hook runs
        assert interrupt.hook_running(client)
    assert interrupt.close_client(client)
    await asyncio.wait_for(handler.closed.wait(), 1)
    del proxyserver.connections[client.id]
    assert not interrupt.close_client(client)
