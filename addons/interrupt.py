"""Answers a request before its body is complete, and closes client connections, for limits.py.

mitmproxy 12.2.3 offers neither to an addon, so this module reaches into its proxy core. It is
the only Warden module that does; tests/test_interrupt.py drives mitmproxy's real HTTP/1 layer
through it and fails when the shapes it relies on change.

- A response an addon sets in `requestheaders` is sent only once the whole request body has
  arrived: mitmproxy buffers it first (HttpStream.state_consume_request_body), so a refused
  8 MB upload is still read into memory, and one that stalls halfway pins its bytes for good.
  No hook runs while a body arrives, so an addon can neither count it nor stop it. mitmproxy's
  own stop, `body_size_limit`, applies to responses too (it would cut off large answers that
  Warden streams) and answers in mitmproxy's HTML instead of the provider's format.
- No hook can close a client connection, and mitmproxy's inactivity timer (`tcp_timeout`)
  starts again with every byte, so a client trickling its headers is never closed.

WatchedHttpLayer is mitmproxy's HTTP layer with streams that report each buffered chunk of a
request body to a BodyWatch, answer at once when a response is set before the body is
complete (the rest of the body is then read and dropped, so an HTTP/1.1 connection stays
usable), and answer a BodyDeadline event injected from outside. install() puts it where
mitmproxy chose its own HttpLayer; close_client() closes a connection the way mitmproxy's
inactivity timeout does.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol

from mitmproxy import connection, ctx, http
from mitmproxy.proxy import commands, events, layer
from mitmproxy.proxy.context import Context
from mitmproxy.proxy.layers.http import (
    HttpLayer,
    HTTPMode,
    HttpResponseHeadersHook,
    HttpStream,
    RequestData,
    RequestHeaders,
)
from mitmproxy.utils import asyncio_utils

__all__ = [
    "BodyDeadline",
    "BodyWatch",
    "WatchedHttpLayer",
    "close_client",
    "hook_running",
    "inject_deadline",
    "install",
]

type Commands = Generator[commands.Command, Any, None]


class BodyWatch(Protocol):
    """Decides about request bodies while they arrive; a response returned is sent at once."""

    def body_progress(self, flow: http.HTTPFlow, buffered: int) -> http.Response | None: ...

    def body_deadline(self, flow: http.HTTPFlow) -> http.Response | None: ...


@dataclass
class BodyDeadline(events.Event):
    """The request body of `flow` is overdue (sent in with inject_deadline)."""

    flow: http.HTTPFlow


def install(nextlayer: layer.NextLayer, watch: BodyWatch) -> None:
    """Use WatchedHttpLayer where mitmproxy's next_layer addon chose its HttpLayer."""
    chosen = nextlayer.layer
    if type(chosen) is not HttpLayer:
        return
    # Layer.__init__ adds every layer to its context's stack; the replacement adds itself.
    chosen.context.layers.remove(chosen)
    nextlayer.layer = WatchedHttpLayer(chosen.context, chosen.mode, watch)


def inject_deadline(flow: http.HTTPFlow) -> bool:
    """Hand a BodyDeadline to the flow's connection; False if it is gone."""
    try:
        _proxyserver().inject_event(BodyDeadline(flow))
    except ValueError:  # "Flow is not from a live connection."
        return False
    return True


def close_client(client: connection.Client) -> bool:
    """Close a client connection as mitmproxy's inactivity timeout does; False if it is gone."""
    handler = _proxyserver().connections.get(client.id)
    if handler is None:
        return False
    asyncio_utils.create_task(
        handler.on_timeout(), name="warden close client", keep_ref=True, client=client.peername
    )
    return True


def hook_running(client: connection.Client) -> bool:
    """Whether an addon hook is at work for this connection (e.g. checking a password).

    mitmproxy's inactivity timeout waits while one is (ProxyConnectionHandler.handle_hook
    disarms it); so do Warden's limits.
    """
    handler = _proxyserver().connections.get(client.id)
    return handler is not None and not handler.timeout_watchdog.can_timeout.is_set()


def _proxyserver() -> Any:
    return ctx.master.addons.get("proxyserver")


class WatchedHttpLayer(HttpLayer):
    def __init__(self, context: Context, mode: HTTPMode, watch: BodyWatch) -> None:
        super().__init__(context, mode)
        self.watch = watch

    def make_stream(self, stream_id: int) -> Commands:
        # HttpLayer.make_stream, with the watched stream.
        stream = WatchedHttpStream(self.context.fork(), stream_id, self.watch)
        self.streams[stream_id] = stream
        yield from self.event_to_child(stream, events.Start())

    def _handle_event(self, event: events.Event) -> Commands:
        # Not a generator itself: every other event gets HttpLayer's own generator, with no
        # extra frame in between (this runs for every event of every connection).
        if not isinstance(event, BodyDeadline):
            return super()._handle_event(event)
        return self._deliver_deadline(event)

    def _deliver_deadline(self, event: BodyDeadline) -> Commands:
        streams = list(self.streams.values())
        for stream in streams:
            if getattr(stream, "flow", None) is event.flow:
                yield from self.event_to_child(stream, event)
                return
        for stream in streams:
            # The flow is in the HTTP layer inside a CONNECT tunnel: pass it down the tunnel.
            tunnel = getattr(stream, "flow", None)
            if stream.child_layer is not None and tunnel and tunnel.request.method == "CONNECT":
                yield from self.event_to_child(stream, event)


class WatchedHttpStream(HttpStream):
    def __init__(self, context: Context, stream_id: int, watch: BodyWatch) -> None:
        super().__init__(context, stream_id)
        self.watch = watch

    def _handle_event(self, event: events.Event) -> Commands:
        # As in WatchedHttpLayer: no extra generator frame for the events of every request.
        if isinstance(event, BodyDeadline):
            return self._deadline()
        return super()._handle_event(event)

    def _deadline(self) -> Commands:
        if self._receiving_body():
            reply = self.watch.body_deadline(self.flow)
            if reply is not None:
                yield from self._answer_early(reply, close=True)

    def state_wait_for_request_headers(self, event: RequestHeaders) -> Commands:
        yield from super().state_wait_for_request_headers(event)
        response = self.flow.response
        if response is not None and not event.end_stream and self._receiving_body():
            yield from self._answer_early(response, close=False)

    def state_consume_request_body(self, event: events.Event) -> Commands:
        yield from super().state_consume_request_body(event)
        if isinstance(event, RequestData) and self._receiving_body():
            reply = self.watch.body_progress(self.flow, len(self.request_body_buf))
            if reply is not None:
                yield from self._answer_early(reply, close=False)

    def _receiving_body(self) -> bool:
        return bool(self.client_state == self.state_consume_request_body)

    def _answer_early(self, response: http.Response, *, close: bool) -> Commands:
        """Send `response` now, drop what is buffered, and ignore the rest of the body.

        The steps of HttpStream.state_consume_request_body for "response set by an addon",
        except that the request hook does not run (the request never completed).
        """
        self.request_body_buf.clear()
        self.client_state = self._drop_request_body
        self.flow.response = response
        response.timestamp_start = time.time()
        yield HttpResponseHeadersHook(self.flow)
        if (yield from self.check_killed(True)):
            return
        yield from self.send_response()
        if self.server_state == self.state_done:  # not killed in the response hook
            # send_response ends the exchange only once the request is complete; end it now.
            yield from self.flow_done()
        if close:
            yield commands.CloseConnection(self.context.client)

    def _drop_request_body(self, event: events.Event) -> Commands:
        yield from ()
