"""Generic webhook: the alert as JSON, signed with HMAC-SHA256 so the receiver knows it came
from Warden and was not replayed.

    X-Warden-Timestamp: 1763800000                 (Unix seconds when it was sent)
    X-Warden-Signature: sha256=<hex HMAC-SHA256(key, "<timestamp>." + body)>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body bytes, compares in
constant time, and rejects timestamps more than 5 minutes from its own clock (a captured
request cannot be replayed later). `verify_signature` below is that check; docs/alerts.md
shows it for receivers. Retries are signed afresh, with a new timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from warden.alerts.config import WebhookSinkConfig
from warden.alerts.sinks.base import Notice, env_secret
from warden.alerts.sinks.httppost import body_bytes, post
from warden.alerts.sinks.payload import document

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookSink",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Warden-Signature"
TIMESTAMP_HEADER = "X-Warden-Timestamp"
TOLERANCE_S = 300


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    mac = hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    key: bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float | None = None,
    tolerance_s: float = TOLERANCE_S,
) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance_s:
        return False
    return hmac.compare_digest(sign(key, timestamp, body), signature)


class WebhookSink:
    def __init__(self, name: str, config: WebhookSinkConfig) -> None:
        self.name = name
        self.config = config
        self._client = httpx.Client(
            timeout=config.timeout_s,
            verify=config.ca_file or True,
            proxy=config.proxy,
            trust_env=False,
        )

    def send(self, notice: Notice) -> None:
        body = body_bytes(document(notice))
        headers = {
            **self.config.headers,
            "User-Agent": "egress-warden-alerts",
            "X-Warden-Event": notice.kind,
            "X-Warden-Alert-Id": str(notice.alert["id"]),
        }
        if self.config.secret_env:
            key = env_secret(self.config.secret_env, "webhook HMAC key").encode("utf-8")
            timestamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(key, timestamp, body)
        post(self._client, self.config.url, body, headers, what="webhook")
