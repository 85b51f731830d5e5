"""Open a CONNECT tunnel through the proxy by hand and report the certificate the client sees."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

from cryptography import x509


@dataclass
class ConnectResult:
    status_line: str
    headers: str
    issuer_cn: str | None = None


def connect_and_handshake(
    proxy_port: int, host: str, cafile: str, proxy_auth: str | None = None
) -> ConnectResult:
    """CONNECT host:443, then a TLS handshake that trusts only `cafile`."""
    sock = socket.create_connection(("127.0.0.1", proxy_port), timeout=10)
    try:
        request = f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n"
        if proxy_auth:
            request += f"Proxy-Authorization: {proxy_auth}\r\n"
        sock.sendall((request + "\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        status_line, _, headers = head.decode("latin-1").partition("\r\n")
        result = ConnectResult(status_line, headers)
        if " 200" not in status_line:
            return result
        context = ssl.create_default_context(cafile=cafile)
        with context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
        assert der is not None
        cert = x509.load_der_x509_certificate(der)
        names = cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        result.issuer_cn = str(names[0].value) if names else None
        return result
    finally:
        sock.close()
