"""The one place a request is refused: the reply in its provider's format, and the record.

Any stage that decides a request must not leave hands a Refusal to `refuse`. It answers the
client (a JSON error an SDK understands, or a page for a browser), keeps the refusal on the
exchange for the audit event (with the stage that refused), gives back the quota the policy
reserved for the request (nothing left, so nothing is used), and drops what was computed
about what would have left.
"""

from __future__ import annotations

import logging

from mitmproxy import http

from addons.exchange import exchange, exchange_if_any
from addons.replies import is_browser_navigation, schema_of, to_response
from warden.refusal import Refusal, Stage
from warden.replies import block_reply, error_reply
from warden.state.redis_store import StateUnreachable

__all__ = ["Departure", "refuse"]

log = logging.getLogger("warden.refuse")


def refuse(flow: http.HTTPFlow, refusal: Refusal) -> None:
    x = exchange(flow)
    if x.refusal is None:  # the first refusal is why; a later one is a consequence
        x.refusal = refusal
    if x.reservation is not None:
        try:
            x.reservation.release()
        except StateUnreachable as e:
            # Refusing must not fail: the window keeps the request counted, at worst.
            log.warning("quota reservation not given back: %s", e)
    x.sent = None  # nothing leaves
    # A policy's own block is routine; any other refusal means something needs a look.
    level = logging.INFO if refusal.stage in (Stage.POLICY, Stage.QUOTA) else logging.WARNING
    log.log(
        level,
        "refused %s %s%s at %s: %s",
        flow.request.method,
        flow.request.host,
        flow.request.path.split("?", 1)[0],
        refusal.stage,
        refusal.reason,
    )
    html_page = is_browser_navigation(flow)
    if refusal.stage is Stage.POLICY:
        reply = block_reply(schema_of(flow), refusal.shown, refusal.rule_id, html_page=html_page)
    else:
        reply = error_reply(
            schema_of(flow),
            refusal.status,
            refusal.shown,
            refusal.code,
            html_page=html_page,
            extra_headers=dict(refusal.headers) or None,
        )
    flow.response = to_response(reply)


class Departure:
    """The last stage of the request phase: what reaches it unanswered is forwarded now, so
    the quota reserved for it is used for good."""

    def request(self, flow: http.HTTPFlow) -> None:
        x = exchange_if_any(flow)
        if x is not None and x.reservation is not None and flow.response is None:
            x.reservation.commit()
