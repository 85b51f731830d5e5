"""Decide one request without sending it: what `warden policy test` and the dashboard use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from warden.catalog import Catalog, CatalogEntry
from warden.dlp.types import Finding
from warden.identity import Identity
from warden.policy.context import PolicyContext
from warden.policy.evaluator import Decision, compile_policy, evaluate
from warden.policy.facts import build_context
from warden.policy.model import Policy, Quota
from warden.policy.quotas import applicable_quotas
from warden.schemas import parse_request
from warden.schemas.normalized import EndpointKind, NormalizedRequest, Segment

__all__ = ["DryRun", "dry_run", "request_from_prompt"]

type Scan = Callable[[NormalizedRequest], tuple[Finding, ...]]


@dataclass(frozen=True)
class DryRun:
    policy: Policy
    decision: Decision
    context: PolicyContext
    entry: CatalogEntry | None
    request: NormalizedRequest

    def to_dict(self) -> dict[str, object]:
        ctx = self.context
        return {
            "decision": self.decision.to_dict() | {"status": self.decision.status},
            "request": {
                "user": ctx.user,
                "groups": list(ctx.groups),
                "client_ip": ctx.client_ip,
                "app": ctx.app,
                "provider": ctx.vendor,
                "kind": ctx.kind,
                "category": ctx.category,
                "risk": ctx.risk,
                "sanctioned": ctx.sanctioned,
                "host": ctx.host,
                "endpoint": ctx.endpoint,
                "model": ctx.model,
                "prompt_tokens": ctx.prompt_tokens,
                "prompt_bytes": ctx.prompt_bytes,
                "attachments": ctx.attachments,
            },
            "findings": [f.to_dict() for f in ctx.findings],
            "trace": [
                {"rule_id": t.rule_id, "matched": t.matched, "why": t.why}
                for t in self.decision.trace
            ],
            "quotas": [q.id for q in _applicable_quotas(self)],
        }


def request_from_prompt(provider: str, prompt: str, model: str | None) -> NormalizedRequest:
    return NormalizedRequest(
        provider=provider,
        schema="prompt",
        endpoint=EndpointKind.CHAT,
        model=model,
        segments=[Segment(("messages", 0, "content"), prompt, "user")],
    )


def dry_run(
    policy: Policy,
    catalog: Catalog,
    identity: Identity,
    host: str,
    *,
    prompt: str | None = None,
    model: str | None = None,
    body: bytes | None = None,
    path: str = "/v1/chat/completions",
    now: datetime | None = None,
    scan: Scan | None = None,
) -> DryRun:
    """Decide as the proxy would; a dry run never counts against quotas."""
    entry = catalog.lookup(host)
    provider = entry.id if entry else "unknown"
    if body is not None:
        schema = entry.schema if entry else "generic"
        request = parse_request(schema, provider, "POST", path, "application/json", body)
        if model:
            request.model = model
    else:
        request = request_from_prompt(provider, prompt or "", model)
    findings = scan(request) if scan is not None else ()
    ctx = build_context(
        policy, identity, entry, host, request, findings, count_prompt_tokens=True, now=now
    )
    decision = evaluate(compile_policy(policy), ctx, explain=True)
    return DryRun(policy, decision, ctx, entry, request)


def _applicable_quotas(run: DryRun) -> list[Quota]:
    ids = dict.fromkeys(q.id for q, _, _ in applicable_quotas(run.policy, run.context))
    return [q for q in run.policy.quotas if q.id in ids]
