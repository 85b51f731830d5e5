"""Decide one request against a policy.

Order, first to last (the README documents it):
  1. model access lists: a model outside an allow-list (or on a deny-list) for one of the
     user's groups is blocked;
  2. rules, top to bottom: the first rule whose every condition holds decides;
  3. default_action when no rule matched.
Quotas are checked afterwards by the caller (warden/policy/quotas.py) for requests that are
let through, so a blocked request never uses up anyone's quota.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import translate

from warden.dlp.types import RedactionSpec
from warden.policy.conditions import Condition, compile_match, compile_predicate
from warden.policy.context import PolicyContext
from warden.policy.model import Action, AlertSpec, ModelAccess, Policy, PolicyRule

__all__ = ["CompiledPolicy", "Decision", "RuleTrace", "compile_policy", "evaluate"]


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
    trace: tuple[RuleTrace, ...] = ()
    # What to replace before forwarding (action redact); applied by the redaction step.
    redactions: tuple[RedactionSpec, ...] = ()
    alert: AlertSpec | None = None
    status: int = 200  # what the client gets when Warden answers itself: 403 block, 429 quota
    quota: dict[str, object] | None = None  # limits checked and what is left, or which was hit

    @property
    def blocks(self) -> bool:
        return self.action is Action.BLOCK

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "action": self.action.value,
            "rule_id": self.rule_id,
            "reason": self.reason,
        }
        if self.redactions:
            out["redact"] = [
                {"entities": sorted(r.entities), "style": r.style.value, "reversible": r.reversible}
                for r in self.redactions
            ]
        if self.alert is not None:
            out["alert"] = {"severity": self.alert.severity.value, "title": self.alert.title}
        if self.quota is not None:
            out["quota"] = self.quota
        return out


@dataclass(frozen=True)
class _CompiledRule:
    rule: PolicyRule
    conditions: tuple[Condition, ...]
    redactions: tuple[RedactionSpec, ...]
    holds: Callable[[PolicyContext], bool]


@dataclass(frozen=True)
class _CompiledModelAccess:
    index: int
    access: ModelAccess
    everyone: bool
    groups: frozenset[str]
    regex: re.Pattern[str]


@dataclass(frozen=True)
class CompiledPolicy:
    policy: Policy
    rules: tuple[_CompiledRule, ...]
    models: tuple[_CompiledModelAccess, ...] = field(default=())
    # Counting prompt tokens costs time; only do it when a rule or quota looks at them.
    needs_prompt_tokens: bool = False


def compile_policy(policy: Policy) -> CompiledPolicy:
    rules = []
    for rule in policy.rules:
        conditions = compile_match(rule.match, policy.timezone)
        redactions = tuple(spec.to_spec() for spec in rule.redact)
        rules.append(
            _CompiledRule(rule, tuple(conditions), redactions, compile_predicate(conditions))
        )
    models = tuple(
        _CompiledModelAccess(
            i,
            access,
            "*" in access.groups,
            frozenset(access.groups),
            re.compile("|".join(translate(p.lower()) for p in (access.allow or access.deny))),
        )
        for i, access in enumerate(policy.models)
    )
    needs_tokens = any(r.match.prompt_tokens for r in policy.rules) or any(
        q.tokens for q in policy.quotas
    )
    return CompiledPolicy(policy, tuple(rules), models, needs_tokens)


def evaluate(
    compiled: CompiledPolicy | Policy, ctx: PolicyContext, *, explain: bool = False
) -> Decision:
    """The decision for one request; `explain` records why each rule did or did not match."""
    if isinstance(compiled, Policy):
        compiled = compile_policy(compiled)
    policy = compiled.policy
    trace: list[RuleTrace] = []

    refusal = _model_refusal(compiled, ctx)
    if refusal is not None:
        rule_id, reason = refusal
        if explain:
            trace.append(RuleTrace(rule_id, True, reason))
        return Decision(Action.BLOCK, rule_id, reason, tuple(trace), status=403)

    for compiled_rule in compiled.rules:
        if explain:
            miss = next((c for c in compiled_rule.conditions if not c.holds(ctx)), None)
            why = "all conditions hold" if miss is None else miss.why_not(ctx)
            trace.append(RuleTrace(compiled_rule.rule.id, miss is None, why))
            if miss is not None:
                continue
        else:
            if compiled_rule.holds(ctx):
                return _decide(policy, compiled_rule, ())
            continue
        return _decide(policy, compiled_rule, tuple(trace))

    action = policy.default_action
    reason = policy.default_message if action is Action.BLOCK else "no rule matched: default"
    status = 403 if action is Action.BLOCK else 200
    return Decision(action, None, reason, tuple(trace), status=status)


def _decide(policy: Policy, compiled: _CompiledRule, trace: tuple[RuleTrace, ...]) -> Decision:
    rule = compiled.rule
    if rule.action in (Action.BLOCK, Action.COACH):
        reason = rule.message or policy.default_message
    else:
        reason = rule.message or rule.description or f"rule {rule.id}"
    return Decision(
        rule.action,
        rule.id,
        reason,
        trace,
        redactions=compiled.redactions,
        alert=rule.alert,
        status=403 if rule.action is Action.BLOCK else 200,
    )


def _model_refusal(compiled: CompiledPolicy, ctx: PolicyContext) -> tuple[str, str] | None:
    if ctx.model is None or not compiled.models:
        return None
    model = ctx.model.lower()
    for entry in compiled.models:
        if not (entry.everyone or not entry.groups.isdisjoint(ctx.groups)):
            continue
        listed = entry.regex.match(model) is not None
        allowed = listed if entry.access.allow else not listed
        if not allowed:
            who = (
                "everyone"
                if entry.everyone
                else "group " + ", ".join(sorted(entry.groups & set(ctx.groups)))
            )
            kind = "allow-list" if entry.access.allow else "deny-list"
            reason = entry.access.message or (
                f"Model {ctx.model} is not permitted for {who} (model {kind})."
            )
            return f"models[{entry.index}]", reason
    return None
