"""One HTTP POST with the retry classification every HTTP sink uses."""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx

from warden.alerts.sinks.base import DeliveryError

__all__ = ["body_bytes", "post", "post_json"]

# 4xx answers that are worth retrying: timeouts, rate limits, "too early".
RETRYABLE_4XX = frozenset({408, 409, 425, 429})


def body_bytes(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")


def post(
    client: httpx.Client, url: str, body: bytes, headers: Mapping[str, str], *, what: str
) -> None:
    try:
        response = client.post(
            url, content=body, headers={"Content-Type": "application/json", **headers}
        )
    except httpx.HTTPError as e:
        # The URL may carry a token (Slack): name the host only.
        host = httpx.URL(url).host
        raise DeliveryError(f"{what} at {host}: {type(e).__name__}: {e}") from None
    if response.is_success:
        return
    status = response.status_code
    raise DeliveryError(
        f"{what} answered HTTP {status}",
        permanent=400 <= status < 500 and status not in RETRYABLE_4XX,
    )


def post_json(
    client: httpx.Client, url: str, document: object, headers: Mapping[str, str], *, what: str
) -> None:
    post(client, url, body_bytes(document), headers, what=what)
