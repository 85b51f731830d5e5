"""Applies the access policy to each inspected AI request: allow, monitor, block, redact,
coach; then quotas. Also answers the coaching page's "continue" form.

Quota counters are saved to data/quota-counters.json every few seconds and at shutdown, and
read back at start, so a restart does not reset anyone's budget.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import urllib.parse
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from mitmproxy import http

from addons.exchange import exchange
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
from warden.policy.counter_file import (
    FILE_NAME,
    CounterFileError,
    read_counters,
    set_aside,
    write_counters,
)
from warden.policy.counters import CounterEntry, InMemoryCounters
from warden.policy.facts import build_context
from warden.policy.quotas import QuotaBreach, QuotaEnforcer
from warden.refusal import Refusal, Stage
from warden.replies import error_reply

log = logging.getLogger("warden.policy")

# Counting tokens in a long paste takes milliseconds: do it off the event loop.
INLINE_TOKEN_COUNT_CHARS = 16 * 1024
ANONYMOUS = Identity("anonymous")
# A crash loses at most this much counting; a write costs a few ms per 10,000 counters.
COUNTER_SAVE_INTERVAL_S = 5.0


class PolicyAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime
        self._compiled: CompiledPolicy | None = None
        self.counters = InMemoryCounters()
        self.quotas = QuotaEnforcer(self.counters)
        self.passes = CoachPasses()
        self._counter_path: Path | None = None
        self._saved_changes = 0
        self._saver: asyncio.Task[None] | None = None
        self._write_lock = threading.Lock()

    def running(self) -> None:
        path = self._runtime.current().config.data_dir / FILE_NAME
        try:
            entries = read_counters(path, time.time())
        except CounterFileError as e:
            # Refusing to start would stop all AI traffic; counting from zero is the lesser harm.
            # A warning, not an error: mitmproxy exits on any error logged during start-up.
            entries = []
            try:
                aside = set_aside(path)
            except OSError as move_error:
                log.warning("%s; quota counters start from zero, unsaved: %s", e, move_error)
                return  # never write over the file someone has to look at
            log.warning("%s; moved it to %s and started quota counters from zero", e, aside.name)
        self.counters = InMemoryCounters(entries)
        self.quotas.store = self.counters
        self._counter_path, self._saved_changes = path, 0
        if entries:
            log.info("quota counters restored: %d open windows from %s", len(entries), path)
        self._saver = asyncio.get_running_loop().create_task(self._save_forever())

    def done(self) -> None:
        if self._saver:
            self._saver.cancel()
        self._save_counters()

    async def _save_forever(self) -> None:
        while True:
            await asyncio.sleep(COUNTER_SAVE_INTERVAL_S)
            if (snapshot := self._counter_snapshot()) is not None:
                # Copied on the loop (the counters change there), written in a thread.
                await asyncio.to_thread(self._write_counters, *snapshot)

    def _save_counters(self) -> None:
        if (snapshot := self._counter_snapshot()) is not None:
            self._write_counters(*snapshot)

    def _counter_snapshot(self) -> tuple[int, list[CounterEntry]] | None:
        changes = self.counters.changes
        if self._counter_path is None or changes == self._saved_changes:
            return None
        return changes, self.counters.entries(time.time())

    def _write_counters(self, changes: int, entries: list[CounterEntry]) -> None:
        assert self._counter_path is not None
        # The shutdown save can start while the last periodic one is still writing: one at a
        # time, and an older snapshot never replaces a newer one.
        with self._write_lock:
            if changes <= self._saved_changes:
                return
            try:
                write_counters(self._counter_path, entries)
            except OSError as e:
                log.error("could not save quota counters to %s: %s", self._counter_path, e)
                return
            self._saved_changes = changes

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
            self._continue_after_coaching(flow)
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
        if not decision.blocks and decision.action is Action.COACH:
            decision = self._coach(flow, entry, identity, decision)
        if flow.response is None and not decision.blocks:
            now = datetime.now(UTC)
            admitted = self.quotas.admit(policy, ctx, ctx.prompt_tokens or 0, now)
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
                decision = replace(decision, quota={"checked": self.quotas.state(policy, ctx, now)})
        x.decision = decision
        if decision.blocks and flow.response is None:
            return Refusal(
                Stage.POLICY, 403, "blocked_by_policy", decision.reason, rule_id=decision.rule_id
            )
        return None

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        coach = exchange(flow).coach_header
        if coach and flow.response is not None:
            flow.response.headers["X-Warden-Coach"] = coach

    def response(self, flow: http.HTTPFlow) -> None:
        x = exchange(flow)
        usage, ctx = x.usage, x.policy_context
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
            exchange(flow).coach_header = _header_safe(decision.reason)
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
        identity: Identity = exchange(flow).identity or ANONYMOUS
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
            exchange(flow).internal = "coach_rejected"
            return
        minutes = self._runtime.current().policy.coach.pass_minutes
        self.passes.grant(ticket, minutes)
        log.info(
            "%s continued past coaching rule %s for %s", ticket.user, ticket.rule_id, ticket.app
        )
        exchange(flow).decision = Decision(
            Action.COACH, ticket.rule_id, f"continued after coaching: {justification}"
        )
        flow.response = http.Response.make(303, b"", {"Location": ticket.url})


def _header_safe(text: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)[:500]
