"""Applies the access policy to each inspected AI request: allow, monitor or block."""

from __future__ import annotations

import logging

from mitmproxy import http

from addons.replies import is_browser_navigation, schema_of, to_response
from addons.runtime import RuntimeAddon
from warden.identity import Identity
from warden.policy import PolicyContext, evaluate
from warden.replies import block_reply

log = logging.getLogger("warden.policy")


class PolicyAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response or "warden.request" not in flow.metadata:
            return
        entry = flow.metadata["warden.app"]
        normalized = flow.metadata["warden.request"]
        identity: Identity | None = flow.metadata.get("warden.identity")
        ctx = PolicyContext(
            user=identity.user if identity else "anonymous",
            groups=identity.groups if identity else (),
            app=entry.id,
            kind=str(entry.kind),
            host=flow.request.pretty_host,
            endpoint=str(normalized.endpoint),
            model=normalized.model,
        )
        decision = evaluate(self._runtime.current().policy, ctx)
        flow.metadata["warden.decision"] = decision
        if decision.blocks:
            log.info(
                "blocked %s -> %s (%s): %s", ctx.user, ctx.app, decision.rule_id, decision.reason
            )
            reply = block_reply(
                schema_of(flow),
                decision.reason,
                decision.rule_id,
                html_page=is_browser_navigation(flow),
            )
            flow.response = to_response(reply)
