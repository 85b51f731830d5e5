"""Applies the access policy to each inspected AI request: allow, monitor, block, redact,
coach; then quotas. Also answers the coaching page's "continue" form.

Quota counters live in the state database (warden/state/counters.py): every add is one
short transaction, so a restart (even kill -9) does not reset anyone's budget, and several
proxy processes on one machine count into the same windows.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from dataclasses import replace
from datetime import UTC, datetime

from mitmproxy import http

from addons.replies import is_browser_navigation, schema_of, to_response
from addons.runtime import RuntimeAddon
from warden.catalog import AppKind, CatalogEntry
from warden.identity import Identity
from warden.policy import Action, CompiledPolicy, Decision, compile_policy, evaluate
from warden.policy.coaching import (
    CONTINUE_PATH,
    MAX_JUSTIFICATION,
    TICKET_TTL_S,
    CoachPasses,
    CoachTicket,
    render_coach_page,
)
from warden.policy.counters import InMemoryCounters
from warden.policy.facts import build_context
from warden.policy.quotas import QuotaEnforcer
from warden.replies import block_reply, error_reply
from warden.state import open_state
from warden.state.counters import SqliteCounters
from warden.state.db import StateDB

log = logging.getLogger("warden.policy")

# Counting tokens in a long paste takes milliseconds: do it off the event loop.
INLINE_TOKEN_COUNT_CHARS = 16 * 1024
ANONYMOUS = Identity("anonymous")


class PolicyAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime
        self._compiled: CompiledPolicy | None = None
        # In memory until the proxy runs (tests and `warden policy test` never open a store).
        self.counters: InMemoryCounters | SqliteCounters = InMemoryCounters()
        self.quotas = QuotaEnforcer(self.counters)
        self.passes = CoachPasses()
        self._state: StateDB | None = None

    def running(self) -> None:
        # Opening imports an earlier version's quota-counters.json once (warden/state/migration).
        self._state = open_state(self._runtime.current().config.data_dir)
        self.counters = SqliteCounters(self._state)
        self.quotas.store = self.counters
        self.counters.expire(time.time())
        if entries := self.counters.entries(time.time()):
            log.info(
                "quota counters restored: %d open windows in %s", len(entries), self._state.path
            )

    def done(self) -> None:
        if self._state is not None:
            self._state.close()

    def compiled(self) -> CompiledPolicy:
        policy = self._runtime.current().policy
        if self._compiled is None or self._compiled.policy is not policy:
            self._compiled = compile_policy(policy)  # once per (re)load, not per request
        return self._compiled

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or "warden.app" not in flow.metadata:
            return
        if flow.request.method == "POST" and flow.request.path.split("?")[0] == CONTINUE_PATH:
            # Warden's own form, not a request to the provider: nothing to inspect.
            flow.metadata["warden.coach_continue"] = True

    async def request(self, flow: http.HTTPFlow) -> None:
        if flow.response:
            return
        if flow.metadata.get("warden.coach_continue"):
            self._continue_after_coaching(flow)
            return
        if "warden.request" not in flow.metadata:
            return
        compiled = self.compiled()
        policy = compiled.policy
        entry: CatalogEntry = flow.metadata["warden.app"]
        identity: Identity = flow.metadata.get("warden.identity") or ANONYMOUS
        normalized = flow.metadata["warden.request"]
        scan = flow.metadata.get("warden.findings")
        findings = tuple(scan.findings) if scan is not None else ()
        args = (policy, identity, entry, flow.request.host, normalized, findings)
        kwargs = {"count_prompt_tokens": compiled.needs_prompt_tokens}
        if compiled.needs_prompt_tokens and normalized.prompt_chars > INLINE_TOKEN_COUNT_CHARS:
            ctx = await asyncio.to_thread(build_context, *args, **kwargs)
        else:
            ctx = build_context(*args, **kwargs)
        flow.metadata["warden.policy_context"] = ctx

        decision = evaluate(compiled, ctx)
        if not decision.blocks and decision.action is Action.COACH:
            decision = self._coach(flow, entry, identity, decision)
        if flow.response is None and not decision.blocks:
            now = datetime.now(UTC)
            breach = self.quotas.admit(policy, ctx, ctx.prompt_tokens or 0, now)
            if breach is not None:
                decision = Decision(
                    Action.BLOCK,
                    breach.quota_id,
                    breach.describe(now),
                    status=429,
                    quota=breach.to_dict(),
                )
                reply = error_reply(
                    schema_of(flow),
                    429,
                    decision.reason,
                    "quota_exceeded",
                    html_page=is_browser_navigation(flow),
                    extra_headers={
                        "Retry-After": str(breach.retry_after(now)),
                        "X-Warden-Quota": breach.quota_id,
                    },
                )
                flow.response = to_response(reply)
            elif policy.quotas:
                decision = replace(decision, quota={"checked": self.quotas.state(policy, ctx, now)})
        flow.metadata["warden.decision"] = decision
        if decision.blocks and flow.response is None:
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

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        coach = flow.metadata.get("warden.coach_header")
        if coach and flow.response is not None:
            flow.response.headers["X-Warden-Coach"] = coach

    def response(self, flow: http.HTTPFlow) -> None:
        usage = flow.metadata.get("warden.usage")
        ctx = flow.metadata.get("warden.policy_context")
        if usage is None or ctx is None or not self._runtime.current().policy.quotas:
            return
        self.quotas.record_usage(
            self._runtime.current().policy,
            ctx,
            usage.output_tokens,
            usage.cost_usd,
            datetime.now(UTC),
        )

    def error(self, flow: http.HTTPFlow) -> None:
        # A stream cut off midway still used tokens and money: count what was reported.
        self.response(flow)

    def _coach(
        self, flow: http.HTTPFlow, entry: CatalogEntry, identity: Identity, decision: Decision
    ) -> Decision:
        rule_id = decision.rule_id or "default"
        if entry.kind is AppKind.API:
            # An SDK cannot show a page: warn in a header and let the request go through.
            flow.metadata["warden.coach_header"] = _header_safe(decision.reason)
            return decision
        if self.passes.has_pass(identity.user, entry.id, rule_id):
            return Decision(
                Action.COACH,
                rule_id,
                "continued earlier after coaching",
                redactions=decision.redactions,
                alert=decision.alert,
            )
        if is_browser_navigation(flow):
            ticket = CoachTicket(
                identity.user, entry.id, rule_id, flow.request.url, time.time() + TICKET_TTL_S
            )
            page = render_coach_page(decision.reason, entry.name, self.passes.sign(ticket))
            flow.response = http.Response.make(
                403,
                page,
                {"Content-Type": "text/html; charset=utf-8", "X-Warden-Decision": "coach"},
            )
        else:
            # A script inside the web app: it cannot show our page, so point the person to it.
            message = (
                f"{decision.reason} Open https://{flow.request.host}/ in your browser "
                "to read the guidance and continue."
            )
            flow.response = to_response(
                error_reply(schema_of(flow), 403, message, "coaching_required")
            )
        return Decision(Action.COACH, rule_id, decision.reason, status=403, alert=decision.alert)

    def _continue_after_coaching(self, flow: http.HTTPFlow) -> None:
        identity: Identity = flow.metadata.get("warden.identity") or ANONYMOUS
        form = urllib.parse.parse_qs(flow.request.get_text(strict=False) or "", max_num_fields=10)
        ticket = self.passes.verify((form.get("token") or [""])[0])
        justification = (form.get("justification") or [""])[0].strip()[:MAX_JUSTIFICATION]
        if ticket is None or ticket.user != identity.user or not justification:
            flow.response = http.Response.make(
                400,
                "This coaching form has expired or is incomplete. Go back, reload the page "
                "and try again.\n",
                {"Content-Type": "text/plain; charset=utf-8"},
            )
            flow.metadata["warden.internal"] = "coach_rejected"
            return
        minutes = self._runtime.current().policy.coach.pass_minutes
        self.passes.grant(ticket, minutes)
        log.info(
            "%s continued past coaching rule %s for %s", ticket.user, ticket.rule_id, ticket.app
        )
        flow.metadata["warden.decision"] = Decision(
            Action.COACH, ticket.rule_id, f"continued after coaching: {justification}"
        )
        flow.response = http.Response.make(303, b"", {"Location": ticket.url})


def _header_safe(text: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)[:500]
