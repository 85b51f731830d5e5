"""Decide one request against a policy: rules top to bottom, the first that matches wins."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from warden.dlp.types import RedactionSpec
from warden.policy.model import Action, Match, Policy

__all__ = ["Decision", "PolicyContext", "RuleTrace", "evaluate"]


@dataclass(frozen=True, slots=True)
class PolicyContext:
    """The facts about one request that rules can match on."""

    user: str
    groups: tuple[str, ...] = ()
    app: str | None = None
    kind: str | None = None
    host: str | None = None
    endpoint: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class RuleTrace:
    rule_id: str
    matched: bool
    why: str


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    rule_id: str | None
    reason: str
    trace: tuple[RuleTrace, ...] = field(default_factory=tuple)
    # What to replace before forwarding (action redact); applied by the redaction step.
    redactions: tuple[RedactionSpec, ...] = ()

    @property
    def blocks(self) -> bool:
        return self.action is Action.BLOCK

    def to_dict(self) -> dict[str, object]:
        return {"action": self.action.value, "rule_id": self.rule_id, "reason": self.reason}


def evaluate(policy: Policy, ctx: PolicyContext) -> Decision:
    trace: list[RuleTrace] = []
    for rule in policy.rules:
        miss = _first_mismatch(rule.match, ctx)
        trace.append(RuleTrace(rule.id, miss is None, miss or "all conditions hold"))
        if miss is None:
            reason = rule.message or rule.description or f"rule {rule.id}"
            if rule.action is Action.BLOCK and not rule.message:
                reason = policy.default_message
            return Decision(rule.action, rule.id, reason, tuple(trace))
    reason = policy.default_message if policy.default_action is Action.BLOCK else "default"
    return Decision(policy.default_action, None, reason, tuple(trace))


def _first_mismatch(match: Match, ctx: PolicyContext) -> str | None:
    """Why this rule does not apply, or None when every condition holds."""
    if match.users and ctx.user not in match.users:
        return f"user {ctx.user!r} not in {match.users}"
    if match.groups and not set(match.groups) & set(ctx.groups):
        return f"groups {list(ctx.groups)} share none of {match.groups}"
    if match.apps and ctx.app not in match.apps:
        return f"app {ctx.app!r} not in {match.apps}"
    if match.kinds and ctx.kind not in match.kinds:
        return f"kind {ctx.kind!r} not in {match.kinds}"
    if match.hosts and not _glob_any(ctx.host, match.hosts):
        return f"host {ctx.host!r} matches none of {match.hosts}"
    if match.endpoints and ctx.endpoint not in match.endpoints:
        return f"endpoint {ctx.endpoint!r} not in {match.endpoints}"
    if match.models and not _glob_any(ctx.model, match.models):
        return f"model {ctx.model!r} matches none of {match.models}"
    return None


def _glob_any(value: str | None, patterns: list[str]) -> bool:
    return value is not None and any(fnmatchcase(value.lower(), p.lower()) for p in patterns)
