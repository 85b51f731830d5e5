"""Real local receivers for alert sinks, started by the tests on loopback only:
an HTTP webhook receiver, syslog listeners (UDP, and TCP with octet-counted frames), and an
SMTP server (aiosmtpd) that requires STARTTLS and AUTH."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support import TestPKI, free_port, make_test_pki

LOOPBACK = "127.0.0.1"


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """A threaded HTTP server recording every POST; answers `status` (200 by default)."""

    def __init__(self, port: int | None = None, status: int = 200) -> None:
        self.port = port or free_port()
        self.status = status
        self.requests: list[ReceivedRequest] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/hook"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append(
                    ReceivedRequest(self.path, dict(self.headers.items()), body)
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SyslogListener:
    """Receives syslog over UDP (a datagram per message) or TCP (octet-counted frames)."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self.messages: list[bytes] = []
        kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
        self._sock = socket.socket(socket.AF_INET, kind)
        self._sock.bind((LOOPBACK, 0))
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()

    def start(self) -> SyslogListener:
        if self.protocol == "tcp":
            self._sock.listen(8)
        self._sock.settimeout(0.1)
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.protocol == "udp":
                    data, _ = self._sock.recvfrom(65535)
                    self.messages.append(data)
                else:
                    conn, _ = self._sock.accept()
                    threading.Thread(target=self._read_frames, args=(conn,), daemon=True).start()
            except (TimeoutError, OSError):
                continue

    def _read_frames(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        buffer = b""
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while b" " in buffer:  # octet counting: "<length> <message>"
                    length, _, rest = buffer.partition(b" ")
                    size = int(length)
                    if len(rest) < size:
                        break
                    self.messages.append(rest[:size])
                    buffer = rest[size:]

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()

    def __enter__(self) -> SyslogListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    login: str | None


@dataclass
class _MailHandler:
    messages: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.login.decode() if session.auth_data else None
        self.messages.append(
            ReceivedMail(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or envelope.content,
                session.ssl is not None,
                login,
            )
        )
        return "250 OK"


class SmtpServer:
    """aiosmtpd with STARTTLS required before AUTH, and one valid user/password."""

    def __init__(self, directory: Path, user: str = "warden", password: str = "s3cret-pw") -> None:
        self.pki: TestPKI = make_test_pki(directory, ["localhost"], ip_addresses=[LOOPBACK])
        self.user, self.password = user, password
        self.handler = _MailHandler()
        self.port = free_port()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.pki.server_cert, self.pki.server_key)
        self._controller = Controller(
            self.handler,
            hostname=LOOPBACK,
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
            ready_timeout=10,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.handler.messages

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class HangingServer:
    """Accepts TCP connections and never answers: a receiver that hangs (a webhook or
    syslog endpoint behind a stuck load balancer). Connections are held until stop()."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((LOOPBACK, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/hook"

    def start(self) -> HangingServer:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            self._held.append(conn)

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._held:
            conn.close()

    def __enter__(self) -> HangingServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
