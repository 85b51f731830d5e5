"""MockProviders: the mock upstream served over TLS by uvicorn on a background thread.

It binds port 443 on a random loopback address (127.83.x.y). Any 127.0.0.0/8 address works
on Linux without configuration, and a private address lets the proxy's /etc/hosts point the
real provider names at it without clashing with anything else on 127.0.0.1:443.
`also_on` adds addresses it serves on the same port, e.g. the test's end of a test host's veth
(tests/support/netns_hosts.py), for a proxy inside a network namespace, whose loopback is its
own.
"""

from __future__ import annotations

import errno
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import httpx
import httpx2
import uvicorn

from tests.support.mock_app import CONTROL_PATH, RecordedRequest, RequestLog, create_app
from tests.support.testca import TestPKI

# Names a test PKI for the mock should cover; www.example.org stands in for "not an AI host".
DEFAULT_HOSTNAMES = [
    "api.openai.com",
    "api.anthropic.com",
    "generativelanguage.googleapis.com",
    "chatgpt.com",
    "www.example.org",
    # Apps of the catalog's newer categories (meeting, coding, image, search, voice), for
    # tests/e2e/test_catalog_e2e.py; the mock answers them with "hello from <host>".
    "api.fireflies.ai",
    "api.tabnine.com",
    "api.bfl.ai",
    "api.tavily.com",
    "elevenlabs.io",
]
CONTROL_HOSTNAME = "api.openai.com"


def random_loopback_ip() -> str:
    return f"127.83.{random.randint(0, 255)}.{random.randint(1, 254)}"


def _bind(host: str | None, port: int) -> socket.socket:
    """Bind in the caller's thread so errors surface here, retrying random addresses on clashes."""
    attempts = 1 if host else 20
    for _ in range(attempts):
        ip = host or random_loopback_ip()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE and attempts > 1:
                continue
            raise OSError(exc.errno, f"mock providers cannot bind {ip}:{port}: {exc}") from exc
        sock.listen(128)
        return sock
    raise OSError(errno.EADDRINUSE, f"no free loopback address for port {port}")


class _LogBuffer(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _reroute(request: Any, ip: str, port: int) -> None:
    # Works on httpx and httpx2 requests alike: same attributes, same sni_hostname extension.
    if request.url.scheme == "https":
        request.extensions = {**request.extensions, "sni_hostname": request.url.host}
        request.url = request.url.copy_with(host=ip, port=port)


class MockRoutingTransport(httpx.HTTPTransport):
    """Sends every https request to the mock while keeping its Host header and TLS SNI.

    Stands in for DNS in tests that talk to the mock without the proxy in between.
    """

    def __init__(self, ip: str, port: int, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        self._ip, self._port = ip, port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _reroute(request, self._ip, self._port)
        return super().handle_request(request)


class MockRoutingTransport2(httpx2.HTTPTransport):
    """The same for httpx2, which the openai 3.x / anthropic 2.x SDKs are built on."""

    def __init__(self, ip: str, port: int, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        self._ip, self._port = ip, port

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        _reroute(request, self._ip, self._port)
        return super().handle_request(request)


class MockProviders:
    """Context manager running the mock upstream; see tests.support.mock_app for behaviour."""

    def __init__(
        self,
        pki: TestPKI,
        host: str | None = None,
        port: int = 443,
        default_delay_ms: float = 0,
        startup_timeout: float = 10.0,
        also_on: Sequence[str] = (),
    ) -> None:
        self.pki = pki
        self._want_host, self._want_port = host, port
        self.also_on = list(also_on)
        self._startup_timeout = startup_timeout
        self.log = RequestLog()
        self._app = create_app(self.log, default_delay_ms)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._logs = _LogBuffer()
        self.ip = ""
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        sock = _bind(self._want_host, self._want_port)
        self.ip, self.port = sock.getsockname()[:2]
        socks = [sock]
        try:
            socks += [_bind(ip, self.port) for ip in self.also_on]
        except OSError:
            for s in socks:
                s.close()
            raise
        config = uvicorn.Config(
            self._app,
            ssl_certfile=str(self.pki.server_cert),
            ssl_keyfile=str(self.pki.server_key),
            http="h11",
            loop="asyncio",
            lifespan="off",
            log_config=None,  # leave the test process's logging alone; we only add a handler
            log_level="info",
            # Access lines go to the "uvicorn.access" logger; pytest shows them for failed
            # tests only, which is exactly when one wants to know what reached "upstream".
            access_log=True,
            # Keep-alive connections from the proxy must not hold up stop().
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        logging.getLogger("uvicorn.error").addHandler(self._logs)
        self._thread = threading.Thread(
            target=self._run, args=(socks,), name=f"mock-providers-{self.ip}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"mock providers did not start on {self.ip}:{self.port} "
                    f"(error: {self._error!r})\n{self.log_text()}"
                )
            time.sleep(0.01)
        return self

    def _run(self, socks: list[socket.socket]) -> None:
        try:
            assert self._server is not None
            self._server.run(sockets=socks)
        except BaseException as exc:  # SystemExit included: uvicorn exits on startup failures
            self._error = exc
        finally:
            for sock in socks:
                sock.close()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout=5)
        logging.getLogger("uvicorn.error").removeHandler(self._logs)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def log_text(self) -> str:
        """uvicorn's log lines (shared logger: concurrent mocks see each other's lines)."""
        return "\n".join(self._logs.lines)

    # -- clients -----------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.pki.ca_cert))

    def transport(self) -> MockRoutingTransport:
        return MockRoutingTransport(self.ip, self.port, self.ssl_context())

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client that reaches the mock directly for any https://<provider>/ URL."""
        return httpx.Client(transport=self.transport(), trust_env=False, **kwargs)

    def sdk_http_client(self, **kwargs: Any) -> httpx2.Client:
        """Like http_client but httpx2, for the SDKs' ``http_client=`` (anthropic rejects httpx)."""
        transport = MockRoutingTransport2(self.ip, self.port, self.ssl_context())
        return httpx2.Client(transport=transport, trust_env=False, **kwargs)

    def _control(self, method: str) -> httpx.Response:
        # Talk to the control endpoint by IP with Host/SNI set, so it also proves the
        # certificate is valid for the provider names. trust_env=False: never via a proxy.
        with httpx.Client(verify=self.ssl_context(), trust_env=False, timeout=10) as client:
            response = client.request(
                method,
                f"https://{self.ip}:{self.port}{CONTROL_PATH}",
                headers={"host": CONTROL_HOSTNAME},
                extensions={"sni_hostname": CONTROL_HOSTNAME},
            )
        response.raise_for_status()
        return response

    def requests(self) -> list[RecordedRequest]:
        """Every request received since start or the last clear(), oldest first."""
        return [RecordedRequest.from_wire(d) for d in self._control("GET").json()]

    def clear(self) -> None:
        self._control("DELETE")

    def requests_to(self, host: str) -> list[RecordedRequest]:
        return [r for r in self.requests() if r.host == host]
