"""Bounds what clients can make the proxy hold: connections that never finish a request, and
request bodies, one by one and all together.

- warden_header_timeout: a client must have sent a request's headers within this many seconds
  of connecting, or of the end of its previous answer (so it is also the idle limit of a
  keep-alive connection), or the connection is closed. Slowloris clients, which send a byte
  now and then, are closed too: mitmproxy's own timer (`tcp_timeout`) restarts with every
  byte. A connection that becomes an opaque tunnel (a host Warden does not decrypt) or a
  WebSocket is exempt from then on: those may rightly stay open and quiet for long.
- warden_body_timeout: a request body must have arrived this many seconds after its headers,
  or it is answered 408 in the provider's format, its buffered bytes are dropped and the
  connection is closed.
- warden_inflight_body_bytes: the bodies of the AI requests in flight may hold this many
  bytes together (warden/body_budget.py). A request that would go past it is answered 503
  with Retry-After before its body is read. A body holds its reservation until its answer is
  complete or it fails, because the flow keeps the body until then.
- warden_max_body (RuntimeAddon's): a body that declares no length stops being read when it
  passes this limit (413). Bodies that declare a length past it are refused by inspect.py.

Refusals are answered before the rest of the body is read (addons/interrupt.py), and recorded
like other refusals (refuse.py). Request bodies to hosts Warden does not inspect are streamed
through instead of being buffered. mitmproxy's `body_size_limit`
stays unset: it would also cut off large answers, which Warden streams.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from mitmproxy import connection, ctx, exceptions, http, tcp, tls
from mitmproxy.proxy import layer, layers

from addons import interrupt
from addons.exchange import exchange
from addons.refuse import refuse
from addons.runtime import RuntimeAddon
from warden.body_budget import BodyBudget
from warden.refusal import Refusal, Stage

__all__ = ["LimitsAddon"]

log = logging.getLogger("warden.limits")

TIMEOUT_CODE = "request_timeout"
BUSY_CODE = "warden_busy"
TOO_LARGE_CODE = "body_too_large"
BUSY_RETRY_AFTER_S = 5
# After a late body's 408 the connection closes by itself; if the answer could not be given
# (the connection was in a state the 408 cannot be sent in), it is closed this much later.
CLOSE_FALLBACK_S = 2.0
HOOK_RECHECK_S = 1.0  # a deadline that falls while a hook works for the connection waits


@dataclass(slots=True)
class _Client:
    conn: connection.Client
    busy: set[str] = field(default_factory=set)  # flows whose exchange is under way
    deadline: asyncio.TimerHandle | None = None
    exempt: bool = False


class LimitsAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime
        self._clients: dict[str, _Client] = {}
        self._body_deadlines: dict[str, asyncio.TimerHandle] = {}
        self.budget = BodyBudget(0)

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_header_timeout",
            int,
            30,
            "Seconds a client has to send a request's headers, counted from connecting and "
            "from the end of the previous answer (the idle limit of keep-alive connections); "
            "then the connection is closed. Opaque tunnels and WebSockets are exempt once "
            "established. 0 turns it off.",
        )
        loader.add_option(
            "warden_body_timeout",
            int,
            60,
            "Seconds a request body has to arrive after its headers; then it is answered 408 "
            "and the connection closed. 0 turns it off.",
        )
        loader.add_option(
            "warden_inflight_body_bytes",
            int,
            256 * 1024 * 1024,
            "Bytes the bodies of all AI requests in flight may hold together; a request past "
            "it is answered 503 with Retry-After before its body is read. 0 turns it off.",
        )

    def configure(self, updated: set[str]) -> None:
        for name in ("warden_header_timeout", "warden_body_timeout", "warden_inflight_body_bytes"):
            if name in updated and getattr(ctx.options, name) < 0:
                raise exceptions.OptionsError(f"{name} must be 0 (off) or more")
        if "warden_inflight_body_bytes" in updated:
            self.budget.cap = ctx.options.warden_inflight_body_bytes

    def running(self) -> None:
        # An option left at its default is never in `updated`: without this the default cap
        # (found by the second attack review: 30 stalled 10 MiB uploads all admitted) would
        # never apply.
        self.budget.cap = ctx.options.warden_inflight_body_bytes

    # -- connections ----------------------------------------------------------------------

    def client_connected(self, client: connection.Client) -> None:
        state = self._clients[client.id] = _Client(client)
        self._arm(state)

    def client_disconnected(self, client: connection.Client) -> None:
        state = self._clients.pop(client.id, None)
        if state is None:
            return
        if state.deadline is not None:
            state.deadline.cancel()
        for flow_id in state.busy:  # their error hooks may come later, or not at all
            self._forget_body(flow_id)

    def next_layer(self, nextlayer: layer.NextLayer) -> None:
        if isinstance(nextlayer.layer, (layers.TCPLayer, layers.UDPLayer)):
            self._relay(nextlayer.context.client)  # ignore_hosts, raw TCP in a CONNECT
        else:
            interrupt.install(nextlayer, self)

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        if data.ignore_connection:  # set by classify.py for hosts Warden does not decrypt
            self._exempt(data.context.client)

    def tcp_start(self, flow: tcp.TCPFlow) -> None:
        self._relay(flow.client_conn)

    def websocket_start(self, flow: http.HTTPFlow) -> None:
        self._exempt(flow.client_conn)

    def http_connect(self, flow: http.HTTPFlow) -> None:
        self._begin(flow)

    def http_connected(self, flow: http.HTTPFlow) -> None:
        self._end(flow)  # now the tunnel's first request has header_timeout to arrive

    def http_connect_error(self, flow: http.HTTPFlow) -> None:
        self._end(flow)

    # -- requests -------------------------------------------------------------------------

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        self._begin(flow)
        x = exchange(flow)
        if flow.response is not None:
            # Answered before its body is read (interrupt.py): no "100 Continue" for it.
            flow.request.headers.pop("expect", None)
            return
        if x.internal:
            return
        if x.app is None:
            flow.request.stream = True  # not inspected, so not held: passed on as it comes
            return
        timeout = ctx.options.warden_body_timeout
        if timeout:
            loop = asyncio.get_running_loop()
            self._body_deadlines[flow.id] = loop.call_later(timeout, self._body_overdue, flow)
        declared = flow.request.headers.get("content-length", "")
        if declared.isdigit() and not self.budget.reserve(flow.id, int(declared), _sender(flow)):
            flow.response = self._busy(flow, int(declared))
            flow.request.headers.pop("expect", None)

    def request(self, flow: http.HTTPFlow) -> None:
        self._cancel_body_deadline(flow.id)
        if exchange(flow).app is not None:
            # The body is whole now: hold what it really takes until the exchange ends.
            self.budget.settle(flow.id, len(flow.request.raw_content or b""))

    def response(self, flow: http.HTTPFlow) -> None:
        self._end(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._end(flow)

    # -- BodyWatch: called by interrupt.WatchedHttpStream while a body arrives -----------------

    def body_progress(self, flow: http.HTTPFlow, buffered: int) -> http.Response | None:
        limit = self._runtime.current().config.max_body_bytes
        if buffered > limit:
            message = (
                f"Request body exceeds {limit:,} bytes, the most Warden inspects. Send a "
                "smaller request or ask your administrator to raise warden_max_body."
            )
            return self._refuse(flow, 413, TOO_LARGE_CODE, message)
        if exchange(flow).app is not None and not self.budget.reserve(
            flow.id, buffered, _sender(flow)
        ):
            return self._busy(flow, buffered)
        return None

    def body_deadline(self, flow: http.HTTPFlow) -> http.Response | None:
        timeout = ctx.options.warden_body_timeout
        message = (
            f"The request body did not arrive within {timeout} s of its headers, so Warden "
            "did not send it. Check the connection, or send a smaller request."
        )
        response = self._refuse(flow, 408, TIMEOUT_CODE, message)
        response.headers["Connection"] = "close"
        self._forget_body(flow.id)
        return response

    # -- internals ------------------------------------------------------------------------

    def _begin(self, flow: http.HTTPFlow) -> None:
        state = self._clients.get(flow.client_conn.id)
        if state is None:
            return
        state.busy.add(flow.id)
        if state.deadline is not None:
            state.deadline.cancel()
            state.deadline = None

    def _end(self, flow: http.HTTPFlow) -> None:
        self._forget_body(flow.id)
        state = self._clients.get(flow.client_conn.id)
        if state is None or flow.id not in state.busy:
            return
        state.busy.discard(flow.id)
        if not state.busy:
            self._arm(state)

    def _forget_body(self, flow_id: str) -> None:
        self._cancel_body_deadline(flow_id)
        self.budget.release(flow_id)

    def _cancel_body_deadline(self, flow_id: str) -> None:
        deadline = self._body_deadlines.pop(flow_id, None)
        if deadline is not None:
            deadline.cancel()

    def _arm(self, state: _Client) -> None:
        timeout = ctx.options.warden_header_timeout
        if state.exempt or not timeout:
            return
        if state.deadline is not None:
            state.deadline.cancel()
        state.deadline = asyncio.get_running_loop().call_later(timeout, self._idle, state)

    def _exempt(self, client: connection.Client) -> None:
        state = self._clients.get(client.id)
        if state is None:
            return
        state.exempt = True
        if state.deadline is not None:
            state.deadline.cancel()
            state.deadline = None

    def _relay(self, client: connection.Client) -> None:
        # Bytes relayed as they are, unless Warden decrypted them: a decrypted AI connection
        # that does not speak HTTP has nothing relayed (classify.py), so no reason to stay.
        if not client.tls_established:
            self._exempt(client)

    def _idle(self, state: _Client) -> None:
        state.deadline = None
        if state.busy or state.exempt:
            return
        if interrupt.hook_running(state.conn):  # e.g. its proxy login is being checked
            loop = asyncio.get_running_loop()
            state.deadline = loop.call_later(HOOK_RECHECK_S, self._idle, state)
            return
        log.info(
            "closing the connection from %s: no complete request within %d s",
            _address(state.conn),
            ctx.options.warden_header_timeout,
        )
        interrupt.close_client(state.conn)

    def _body_overdue(self, flow: http.HTTPFlow) -> None:
        self._body_deadlines.pop(flow.id, None)
        if interrupt.inject_deadline(flow):
            asyncio.get_running_loop().call_later(CLOSE_FALLBACK_S, self._close_if_stuck, flow)

    def _close_if_stuck(self, flow: http.HTTPFlow) -> None:
        # timestamp_end is set when the body is complete; a response or error ends it too.
        if flow.request.timestamp_end is None and flow.response is None and flow.error is None:
            log.warning(
                "closing the connection from %s: its late body could not be answered",
                _address(flow.client_conn),
            )
            self._forget_body(flow.id)
            interrupt.close_client(flow.client_conn)

    def _busy(self, flow: http.HTTPFlow, size: int) -> http.Response:
        message = (
            "Warden is holding as many large requests as it may right now, so this one "
            f"({size:,} bytes) was not sent. Please try again in a few seconds."
        )
        return self._refuse(flow, 503, BUSY_CODE, message, {"Retry-After": str(BUSY_RETRY_AFTER_S)})

    def _refuse(
        self,
        flow: http.HTTPFlow,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> http.Response:
        refuse(flow, Refusal(Stage.LIMITS, status, code, message, headers=headers or {}))
        assert flow.response is not None
        return flow.response


def _address(client: connection.Client) -> str:
    peer = client.peername
    return f"{peer[0]}:{peer[1]}" if peer else "?"


def _sender(flow: http.HTTPFlow) -> str:
    """Who a body's bytes are counted against: the person if known, else the client address."""
    identity = exchange(flow).identity
    user = getattr(identity, "user", None)
    if user and user != "anonymous":
        return f"user:{user}"
    peer = flow.client_conn.peername
    return f"address:{peer[0] if peer else '?'}"
