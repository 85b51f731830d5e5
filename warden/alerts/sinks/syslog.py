"""Syslog for SIEMs: RFC 5424 messages carrying CEF or JSON, over UDP (one datagram each) or
TCP with octet-counting framing (RFC 6587: "<length> <message>"), which survives line
breaks inside a message where newline framing would not.

    <PRI>1 2026-11-22T10:00:00.123Z proxy01 warden 4242 alert - CEF:0|Egress Warden|...

PRI is facility * 8 + syslog severity: critical alerts are 2 (crit), high 3 (err), medium 4
(warning), low 5 (notice). No BOM before the message: CEF parsers reject it.
"""

from __future__ import annotations

import json
import os
import socket

from warden.alerts.alert import iso
from warden.alerts.config import SyslogSinkConfig
from warden.alerts.sinks.base import DeliveryError, Notice
from warden.alerts.sinks.cef import cef_message
from warden.alerts.sinks.payload import document

__all__ = ["SyslogSink", "frame_tcp", "syslog_message"]

SYSLOG_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5}
MAX_UDP = 60_000  # bytes; IPv4 UDP payloads stop at 65,507


def _field(value: str, limit: int) -> str:
    # RFC 5424 header fields are printable US-ASCII without spaces, "-" when empty.
    cleaned = "".join(c for c in value if 33 <= ord(c) <= 126)[:limit]
    return cleaned or "-"


def syslog_message(notice: Notice, config: SyslogSinkConfig, hostname: str | None = None) -> bytes:
    alert = notice.alert
    pri = config.facility_code * 8 + SYSLOG_SEVERITY.get(str(alert["severity"]), 4)
    if config.format == "cef":
        body = cef_message(notice)
    else:
        body = json.dumps(document(notice), separators=(",", ":"), sort_keys=True)
    header = " ".join(
        [
            f"<{pri}>1",
            iso(alert["last_seen"]) or "-",
            _field(hostname or socket.gethostname(), 255),
            _field(config.app_name, 48),
            _field(str(os.getpid()), 128),
            _field(notice.kind, 32),
            "-",  # no structured data: everything is in the CEF or JSON body
        ]
    )
    return (header + " " + body).encode("utf-8")


def frame_tcp(message: bytes) -> bytes:
    return str(len(message)).encode("ascii") + b" " + message


class SyslogSink:
    def __init__(self, name: str, config: SyslogSinkConfig) -> None:
        self.name = name
        self.config = config

    def send(self, notice: Notice) -> None:
        cfg = self.config
        message = syslog_message(notice, cfg)
        try:
            if cfg.protocol == "tcp":
                with socket.create_connection((cfg.host, cfg.port), timeout=cfg.timeout_s) as s:
                    s.sendall(frame_tcp(message))
            else:
                if len(message) > MAX_UDP:
                    raise DeliveryError(f"message of {len(message)} bytes too large for UDP")
                family = socket.getaddrinfo(cfg.host, cfg.port, type=socket.SOCK_DGRAM)[0]
                with socket.socket(family[0], socket.SOCK_DGRAM) as s:
                    s.settimeout(cfg.timeout_s)
                    s.sendto(message, family[4])
        except OSError as e:
            raise DeliveryError(
                f"syslog {cfg.protocol}://{cfg.host}:{cfg.port}: {type(e).__name__}: {e}"
            ) from None
