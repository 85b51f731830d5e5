"""Request and token rate limits and USD budgets, per user, group (team) or everyone.

Windows are fixed and aligned (a 1m window runs from :00 to :59); budget periods are the
calendar day or month in the policy's time zone. Requests and prompt tokens are reserved when
a request is admitted and stay counted only if it is forwarded: a request refused by a later
stage (redaction, the audit store, ...) gives its reservation back, since nothing left. Answer
tokens and cost are added when the answer is complete, so a budget is enforced on money
already spent (the cost of an answer is unknown in advance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from warden.identity.resolver import ANONYMOUS
from warden.policy.context import PolicyContext
from warden.policy.counters import CounterEntry, CounterStore, InMemoryCounters
from warden.policy.model import Policy, Quota, QuotaScope, window_seconds

__all__ = ["QuotaBreach", "QuotaEnforcer", "QuotaReservation", "applicable_quotas"]


@dataclass(frozen=True, slots=True)
class QuotaBreach:
    quota_id: str
    metric: str  # requests, tokens, usd
    limit: float
    used: float
    subject: str  # "user alice", "group engineering", "everyone"
    resets_at: datetime
    message: str | None = None

    def retry_after(self, now: datetime) -> int:
        return max(1, int((self.resets_at - now).total_seconds() + 0.999))

    def describe(self, now: datetime) -> str:
        if self.message:
            return self.message
        unit = {"requests": "requests", "tokens": "tokens", "usd": "USD"}[self.metric]
        limit = f"{self.limit:,.2f}" if self.metric == "usd" else f"{int(self.limit):,}"
        return (
            f"Quota {self.quota_id!r} reached for {self.subject}: {limit} {unit} "
            f"per period. It resets at {self.resets_at:%Y-%m-%d %H:%M:%S %Z} "
            f"(in {self.retry_after(now)} s)."
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "quota_id": self.quota_id,
            "metric": self.metric,
            "limit": self.limit,
            "used": round(self.used, 6),
            "subject": self.subject,
            "resets_at": self.resets_at.isoformat(),
        }


@dataclass(slots=True)
class QuotaReservation:
    """What admitting one request added to the counters, until the request leaves or not.

    Committed when it is forwarded; released (the same amounts taken back) when a stage after
    the policy refuses it. Either happens once; what comes later is ignored.
    """

    store: CounterStore
    entries: tuple[CounterEntry, ...]  # (key, window start, amount, window end)
    settled: bool = False

    def commit(self) -> None:
        self.settled = True

    def release(self) -> None:
        if self.settled:
            return
        self.settled = True
        for key, start, amount, end in self.entries:
            self.store.add(key, start, -amount, end)


@dataclass(frozen=True, slots=True)
class _Window:
    start: float
    end: float


class QuotaEnforcer:
    def __init__(self, store: CounterStore | None = None) -> None:
        self.store = store or InMemoryCounters()

    def admit(
        self, policy: Policy, ctx: PolicyContext, prompt_tokens: int, now: datetime
    ) -> QuotaBreach | QuotaReservation:
        """Check every applicable quota; if none is breached, reserve this request in all.

        The check before reserving turns away what is already over without writing; the
        totals the (atomic) adds return decide: requests admitted at once by several threads,
        workers or instances, each having seen room before any had added, must not all pass.
        One whose add went past a limit takes back everything it added and is refused."""
        applicable = list(applicable_quotas(policy, ctx))
        for quota, subject, key in applicable:
            breach = self._check(policy, quota, subject, key, prompt_tokens, now)
            if breach is not None:
                return breach
        planned: list[tuple[CounterEntry, Quota, str, str, float]] = []
        entry: CounterEntry
        for quota, subject, key in applicable:
            if quota.requests is not None or quota.tokens is not None:
                window = _rate_window(quota, now)
                if quota.requests is not None:
                    entry = (f"{key}:requests", window.start, 1, window.end)
                    planned.append((entry, quota, subject, "requests", quota.requests))
                if quota.tokens is not None and prompt_tokens:
                    entry = (f"{key}:tokens", window.start, prompt_tokens, window.end)
                    planned.append((entry, quota, subject, "tokens", quota.tokens))
        reservation = QuotaReservation(self.store, ())
        for entry, quota, subject, metric, limit in planned:
            counter, start, amount, end = entry
            total = self.store.add(counter, start, amount, end)
            reservation.entries += (entry,)
            if total > limit:
                reservation.release()
                resets = datetime.fromtimestamp(end, UTC)
                used = min(total - amount, limit)  # others' reservations may be on the way back
                return QuotaBreach(quota.id, metric, limit, used, subject, resets, quota.message)
        return reservation

    def record_usage(
        self,
        policy: Policy,
        ctx: PolicyContext,
        output_tokens: int,
        cost_usd: float | None,
        now: datetime,
    ) -> None:
        """Add what an answer used, once it is complete. Only ever adds: usage that would
        subtract (a negative count or cost) is not counted; only a reservation gives back."""
        output_tokens = max(output_tokens, 0)
        cost_usd = cost_usd if cost_usd is not None and cost_usd > 0 else None
        for quota, _, key in applicable_quotas(policy, ctx):
            if quota.tokens is not None and output_tokens:
                window = _rate_window(quota, now)
                self.store.add(f"{key}:tokens", window.start, output_tokens, window.end)
            if quota.budget_usd is not None and cost_usd:
                period = _budget_window(quota, policy.timezone, now)
                self.store.add(f"{key}:usd", period.start, cost_usd, period.end)

    def state(self, policy: Policy, ctx: PolicyContext, now: datetime) -> list[dict[str, object]]:
        """What is used and left of each quota that applies: for the audit record."""
        out: list[dict[str, object]] = []
        for quota, subject, key in applicable_quotas(policy, ctx):
            for metric, limit, window in _metrics(quota, policy.timezone, now):
                used = self.store.get(f"{key}:{metric}", window.start)
                out.append(
                    {
                        "quota_id": quota.id,
                        "subject": subject,
                        "metric": metric,
                        "limit": limit,
                        "used": round(used, 6),
                    }
                )
        return out

    def _check(
        self,
        policy: Policy,
        quota: Quota,
        subject: str,
        key: str,
        prompt_tokens: int,
        now: datetime,
    ) -> QuotaBreach | None:
        for metric, limit, window in _metrics(quota, policy.timezone, now):
            used = self.store.get(f"{key}:{metric}", window.start)
            wanted = {"requests": 1, "tokens": prompt_tokens, "usd": 0}[metric]
            over = used + wanted > limit if metric != "usd" else used >= limit
            if over:
                resets = datetime.fromtimestamp(window.end, UTC)
                return QuotaBreach(quota.id, metric, limit, used, subject, resets, quota.message)
        return None


def applicable_quotas(policy: Policy, ctx: PolicyContext):  # type: ignore[no-untyped-def]
    """(quota, subject, counter key) for every counter this request counts against."""
    for quota in policy.quotas:
        if quota.users and ctx.user not in quota.users:
            continue
        if quota.scope is QuotaScope.EVERYONE:
            yield quota, "everyone", f"{quota.id}:all"
        elif quota.scope is QuotaScope.USER:
            if quota.groups and not set(quota.groups) & set(ctx.groups):
                continue
            subject, who = _quota_user(ctx)
            yield quota, subject, f"{quota.id}:user:{who}"
        else:
            for group in sorted(set(quota.groups) & set(ctx.groups)):
                yield quota, f"group {group}", f"{quota.id}:group:{group}"


def _quota_user(ctx: PolicyContext) -> tuple[str, str]:
    """(subject for the 429 message, counter key part) of a per-user quota.

    Everyone nobody named is "anonymous": sharing one counter would let a single device use up
    the quota of every anonymous person, so each client address counts on its own.
    """
    if ctx.user == ANONYMOUS and ctx.client_ip:
        return f"anonymous user at {ctx.client_ip}", f"{ANONYMOUS}@{ctx.client_ip}"
    return f"user {ctx.user}", ctx.user


def _metrics(quota: Quota, zone: str, now: datetime):  # type: ignore[no-untyped-def]
    if quota.requests is not None:
        yield "requests", quota.requests, _rate_window(quota, now)
    if quota.tokens is not None:
        yield "tokens", quota.tokens, _rate_window(quota, now)
    if quota.budget_usd is not None:
        yield "usd", quota.budget_usd, _budget_window(quota, zone, now)


def _rate_window(quota: Quota, now: datetime) -> _Window:
    assert quota.window is not None
    size = window_seconds(quota.window)
    start = (now.timestamp() // size) * size
    return _Window(start, start + size)


def _budget_window(quota: Quota, zone: str, now: datetime) -> _Window:
    local = now.astimezone(ZoneInfo(zone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if quota.period == "month":
        start = start.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        end = start + timedelta(days=1)
    # Aware datetimes add on the wall clock, so a day with a DST change still ends at midnight.
    return _Window(start.timestamp(), end.timestamp())
