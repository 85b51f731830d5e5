"""Applies the access policy to each inspected AI request: allow, monitor, block, redact,
coach; then quotas. Also answers the coaching page's "continue" form.

Quota counters live in the state database (warden/state/counters.py): every add is one
short transaction, so a restart (even kill -9) does not reset anyone's budget, and several
proxy processes on one machine count into the same windows. With `--state redis://...`
(addons/state.py) counters and passes live in Redis instead, shared by every instance; its
calls run off the event loop, and while it is unreachable the requests that need it are
refused with a 503 or counted locally, as configured.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from mitmproxy import http

from addons.exchange import Exchange, exchange
from addons.replies import is_browser_navigation, schema_of, to_response
from addons.runtime import RuntimeAddon
from addons.state import StateAddon
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
from warden.policy.coaching import (
    KEY_ENV as COACH_KEY_ENV,
)
from warden.policy.coaching import (
    KEY_FILE as COACH_KEY_FILE,
)
from warden.policy.context import PolicyContext
from warden.policy.counters import InMemoryCounters
from warden.policy.facts import build_context
from warden.policy.model import Policy
from warden.policy.quotas import QuotaBreach, QuotaEnforcer
from warden.refusal import Refusal, Stage
from warden.replies import error_reply
from warden.secret_file import shared_secret
from warden.state import open_state
from warden.state.counters import SqliteCounters
from warden.state.db import StateDB
from warden.state.failover import FailoverCounters, Unreachable
from warden.state.passes import SqlitePasses
from warden.state.redis_store import StateUnreachable

log = logging.getLogger("warden.policy")

# Counting tokens in a long paste takes milliseconds: do it off the event loop.
INLINE_TOKEN_COUNT_CHARS = 16 * 1024
ANONYMOUS = Identity("anonymous")

STATE_DOWN_CODE = "state_store_unreachable"
STATE_DOWN_MESSAGE = "Warden cannot reach its shared state store; try again shortly."


class PolicyAddon:
    def __init__(self, runtime: RuntimeAddon, state: StateAddon | None = None) -> None:
        self._runtime = runtime
        self._shared_state = state
        self._remote = False  # counters and passes in a store across the network
        self._recording: set[asyncio.Task[None]] = set()
        self._compiled: CompiledPolicy | None = None
        # In memory until the proxy runs (tests and `warden policy test` never open a store).
        self.counters: InMemoryCounters | SqliteCounters | FailoverCounters = InMemoryCounters()
        self.quotas = QuotaEnforcer(self.counters)
        self.passes = CoachPasses()
        self._state: StateDB | None = None

    def running(self) -> None:
        # Opening imports an earlier version's quota-counters.json once (warden/state/migration).
        self._state = open_state(self._runtime.current().config.data_dir)
        # The form's key: the fleet's (an environment variable every instance sets), else the
        # one shared with the machine's other Warden processes.
        data_dir = self._runtime.current().config.data_dir
        from_env = os.environ.get(COACH_KEY_ENV)
        coach_key = from_env.encode() if from_env else shared_secret(data_dir, COACH_KEY_FILE)
        shared = self._shared_state.shared if self._shared_state is not None else None
        if shared is not None:
            self._remote = True
            self.counters = shared.counters
            self.quotas.store = self.counters
            self.passes = CoachPasses(coach_key, shared.passes)
            return
        counters = SqliteCounters(self._state)
        self.counters = counters
        self.quotas.store = counters
        counters.expire(time.time())
        # Passes shared with the machine's other Warden processes.
        self.passes = CoachPasses(coach_key, SqlitePasses(self._state))
        if entries := counters.entries(time.time()):
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
        x = exchange(flow)
        if flow.response or x.app is None:
            return
        if flow.request.method == "POST" and flow.request.path.split("?")[0] == CONTINUE_PATH:
            # Warden's own form, not a request to the provider: nothing to inspect.
            x.coach_continue = True

    async def request(self, flow: http.HTTPFlow) -> Refusal | None:
        x = exchange(flow)
        if flow.response:
            return None
        if x.coach_continue:
            try:
                await self._continue_after_coaching(flow)
            except StateUnreachable as e:
                return self._state_refusal(e)
            return None
        entry, normalized = x.app, x.request
        if entry is None or normalized is None:
            return None
        compiled = self.compiled()
        policy = compiled.policy
        identity = x.identity or ANONYMOUS
        findings = tuple(x.findings.findings) if x.findings is not None else ()
        args = (policy, identity, entry, flow.request.host, normalized, findings)
        needs_tokens = compiled.needs_prompt_tokens
        if needs_tokens and normalized.prompt_chars > INLINE_TOKEN_COUNT_CHARS:
            ctx = await asyncio.to_thread(build_context, *args, count_prompt_tokens=needs_tokens)
        else:
            ctx = build_context(*args, count_prompt_tokens=needs_tokens)
        x.policy_context = ctx

        decision = evaluate(compiled, ctx)
        try:
            return await self._decide_with_state(flow, x, entry, identity, policy, ctx, decision)
        except StateUnreachable as e:
            return self._state_refusal(e)

    async def _decide_with_state(
        self,
        flow: http.HTTPFlow,
        x: Exchange,
        entry: CatalogEntry,
        identity: Identity,
        policy: Policy,
        ctx: PolicyContext,
        decision: Decision,
    ) -> Refusal | None:
        """Coaching passes and quotas: the part of the decision that reads shared state."""
        if not decision.blocks and decision.action is Action.COACH:
            passed = entry.kind is not AppKind.API and await self._off_loop(
                self.passes.has_pass, pass_holder(identity), entry.id, decision.rule_id or "default"
            )
            self._mark_state(x)
            decision = self._coach(flow, entry, identity, decision, passed)
        if flow.response is None and not decision.blocks:
            now = datetime.now(UTC)
            admitted = await self._off_loop(
                self.quotas.admit, policy, ctx, ctx.prompt_tokens or 0, now
            )
            if policy.quotas:
                self._mark_state(x)
            if isinstance(admitted, QuotaBreach):
                decision = Decision(
                    Action.BLOCK,
                    admitted.quota_id,
                    admitted.describe(now),
                    status=429,
                    quota=admitted.to_dict(),
                )
                x.decision = decision
                refusal = Refusal(
                    Stage.QUOTA,
                    429,
                    "quota_exceeded",
                    decision.reason,
                    headers={
                        "Retry-After": str(admitted.retry_after(now)),
                        "X-Warden-Quota": admitted.quota_id,
                    },
                    rule_id=admitted.quota_id,
                )
                return refusal
            # Counted now; given back if a later stage refuses the request (refuse.py).
            x.reservation = admitted
            if policy.quotas:
                checked = await self._off_loop(self.quotas.state, policy, ctx, now)
                decision = replace(decision, quota={"checked": checked})
        x.decision = decision
        if decision.blocks and flow.response is None:
            return Refusal(
                Stage.POLICY, 403, "blocked_by_policy", decision.reason, rule_id=decision.rule_id
            )
        return None

    async def _off_loop[T](self, call: Callable[..., T], *args: object) -> T:
        # A network store can wait up to its timeout; the SQLite file answers in microseconds.
        if self._remote:
            return await asyncio.to_thread(call, *args)
        return call(*args)

    def _mark_state(self, x: Exchange) -> None:
        """Note on the event that this request was counted by this instance alone."""
        shared = self._shared_state.shared if self._shared_state is not None else None
        health = shared.health if shared is not None else None
        if health is not None and not health.reachable and health.mode is Unreachable.LOCAL:
            x.state = "local"

    def _state_refusal(self, error: StateUnreachable) -> Refusal:
        return Refusal(
            Stage.STATE,
            503,
            STATE_DOWN_CODE,
            str(error),
            STATE_DOWN_MESSAGE,
            headers={"Retry-After": "5"},
        )

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        coach = exchange(flow).coach_header
        if coach and flow.response is not None:
            flow.response.headers["X-Warden-Coach"] = coach

    def response(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        usage, ctx = x.usage, x.policy_context
        if usage is None or ctx is None or not self._runtime.current().policy.quotas:
            return
        args = (
            self._runtime.current().policy,
            ctx,
            usage.output_tokens,
            usage.cost_usd,
            datetime.now(UTC),
        )
        if not self._remote:
            self.quotas.record_usage(*args)
            return
        # The answer has left: count it in the background, not before the hook returns.
        task = asyncio.get_running_loop().create_task(self._record_usage_off_loop(*args))
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)

    async def _record_usage_off_loop(self, *args: Any) -> None:
        try:
            await asyncio.to_thread(self.quotas.record_usage, *args)
        except StateUnreachable as e:
            log.warning("usage of an answer not counted in the shared windows: %s", e)

    def error(self, flow: http.HTTPFlow) -> None:
        # A stream cut off midway still used tokens and money: count what was reported.
        self.response(flow)

    def _coach(
        self,
        flow: http.HTTPFlow,
        entry: CatalogEntry,
        identity: Identity,
        decision: Decision,
        passed: bool,
    ) -> Decision:
        rule_id = decision.rule_id or "default"
        if entry.kind is AppKind.API:
            # An SDK cannot show a page: warn in a header and let the request go through.
            exchange(flow).coach_header = _header_safe(decision.reason)
            return decision
        if passed:
            return Decision(
                Action.COACH,
                rule_id,
                "continued earlier after coaching",
                redactions=decision.redactions,
                alert=decision.alert,
            )
        if is_browser_navigation(flow):
            ticket = CoachTicket(
                pass_holder(identity),
                entry.id,
                rule_id,
                flow.request.url,
                time.time() + TICKET_TTL_S,
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

    async def _continue_after_coaching(self, flow: http.HTTPFlow) -> None:
        identity: Identity = exchange(flow).identity or ANONYMOUS
        form = urllib.parse.parse_qs(flow.request.get_text(strict=False) or "", max_num_fields=10)
        ticket = self.passes.verify((form.get("token") or [""])[0])
        justification = (form.get("justification") or [""])[0].strip()[:MAX_JUSTIFICATION]
        if ticket is None or ticket.user != pass_holder(identity) or not justification:
            flow.response = http.Response.make(
                400,
                "This coaching form has expired or is incomplete. Go back, reload the page "
                "and try again.\n",
                {"Content-Type": "text/plain; charset=utf-8"},
            )
            exchange(flow).internal = "coach_rejected"
            return
        minutes = self._runtime.current().policy.coach.pass_minutes
        await self._off_loop(self.passes.grant, ticket, minutes)
        self._mark_state(exchange(flow))
        log.info(
            "%s continued past coaching rule %s for %s", ticket.user, ticket.rule_id, ticket.app
        )
        exchange(flow).decision = Decision(
            Action.COACH, ticket.rule_id, f"continued after coaching: {justification}"
        )
        flow.response = http.Response.make(303, b"", {"Location": ticket.url})


def pass_holder(identity: Identity) -> str:
    """Whose coaching pass: a named person's, or one anonymous device's. A pass for
    "anonymous" would let one device's "continue" wave every unnamed device through, on every
    instance sharing the state; quotas count anonymous devices apart for the same reason."""
    if identity.user == ANONYMOUS.user and identity.client_ip:
        return f"{ANONYMOUS.user}@{identity.client_ip}"
    return identity.user


def _header_safe(text: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)[:500]
