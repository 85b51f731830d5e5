"""The mock upstream as one Starlette app: records every request, then dispatches on Host."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.support import mock_anthropic, mock_chatgpt, mock_gemini, mock_openai

CONTROL_PATH = "/__mock__/requests"
# A WebSocket message the mock received is recorded as a request with this method, its frame
# type in the FRAME_HEADER header and its payload as the body.
WEBSOCKET_METHOD = "WEBSOCKET"
FRAME_HEADER = "x-mock-frame"
# Lets a test make "upstream" fail (e.g. 429, 500) to exercise the proxy's error paths.
STATUS_HEADER = "x-mock-status"

Handler = Callable[[Request], Awaitable[Response | None]]
PROVIDERS: dict[str, Handler] = {
    "api.openai.com": mock_openai.handle,
    "api.anthropic.com": mock_anthropic.handle,
    "generativelanguage.googleapis.com": mock_gemini.handle,
    "chatgpt.com": mock_chatgpt.handle,
}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass
class RecordedRequest:
    """One request as it reached the mock upstream (i.e. after the proxy)."""

    host: str  # Host header without port, lower-case
    method: str
    path: str
    query: str  # raw query string without "?"
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    header_items: list[tuple[str, str]] = field(default_factory=list)  # raw order, repeats kept
    time: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)

    def to_wire(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "header_items": [list(kv) for kv in self.header_items],
            "body": self.body.decode("utf-8", errors="replace"),
            "body_b64": base64.b64encode(self.body).decode(),
            "time": self.time,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> RecordedRequest:
        return cls(
            host=data["host"],
            method=data["method"],
            path=data["path"],
            query=data["query"],
            headers=dict(data["headers"]),
            body=base64.b64decode(data["body_b64"]),
            header_items=[(k, v) for k, v in data["header_items"]],
            time=data["time"],
        )


class RequestLog:
    """Thread-safe, since the server loop and test code may live on different threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def add(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def host_of(request: Request) -> str:
    host = request.headers.get("host", "")
    if host.startswith("["):  # [v6]:port
        return host[1 : host.find("]")].lower()
    return host.rsplit(":", 1)[0].lower() if ":" in host else host.lower()


async def _record(request: Request, log: RequestLog) -> None:
    items = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    headers: dict[str, str] = {}
    for name, value in items:
        name = name.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    log.add(
        RecordedRequest(
            host=host_of(request),
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=headers,
            body=await request.body(),
            header_items=items,
            time=time.time(),
        )
    )


def _forced_error(host: str, status: int) -> Response:
    message = f"mock forced status {status}"
    if host == "api.anthropic.com":
        body: dict[str, Any] = {"type": "error", "error": {"type": "api_error", "message": message}}
    else:
        body = {"error": {"message": message, "type": "mock_error", "code": status}}
    return JSONResponse(body, status_code=status)


def create_app(log: RequestLog, default_delay_ms: float = 0) -> Starlette:
    async def control(request: Request) -> Response:
        if request.method == "DELETE":
            log.clear()
            return Response(status_code=204)
        return JSONResponse([r.to_wire() for r in log.snapshot()])

    async def dispatch(request: Request) -> Response:
        await _record(request, log)
        host = host_of(request)
        forced = request.headers.get(STATUS_HEADER, "")
        if forced.isdigit():
            return _forced_error(host, int(forced))
        handler = PROVIDERS.get(host)
        if handler is None:
            return PlainTextResponse(f"hello from {host}")
        response = await handler(request)
        if response is None:
            return JSONResponse(
                {"error": {"message": f"no mock for {request.method} {request.url.path}"}},
                status_code=404,
            )
        return response

    async def websocket(socket: WebSocket) -> None:
        """Any WebSocket (OpenAI Realtime...): records each message, answers with an ack."""
        await socket.accept()
        host = socket.headers.get("host", "").rsplit(":", 1)[0].lower()
        try:
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes")
                kind = "binary" if data is not None else "text"
                if data is None:
                    data = (message.get("text") or "").encode()
                log.add(
                    RecordedRequest(
                        host=host,
                        method=WEBSOCKET_METHOD,
                        path=socket.url.path,
                        query=socket.url.query,
                        headers={FRAME_HEADER: kind},
                        body=data,
                        time=time.time(),
                    )
                )
                await socket.send_text(json.dumps({"type": "mock.received", "bytes": len(data)}))
        except WebSocketDisconnect:
            return

    app = Starlette(
        routes=[
            Route(CONTROL_PATH, control, methods=["GET", "DELETE"]),
            Route("/{path:path}", dispatch, methods=METHODS),
            WebSocketRoute("/{path:path}", websocket),
        ]
    )
    app.state.default_delay_ms = default_delay_ms
    return app
