"""YAML access policies: who may send what to which AI."""

from warden.policy.context import PolicyContext
from warden.policy.evaluator import CompiledPolicy, Decision, compile_policy, evaluate
from warden.policy.model import Action, Policy, PolicyRule, load_policy

__all__ = [
    "Action",
    "CompiledPolicy",
    "Decision",
    "Policy",
    "PolicyContext",
    "PolicyRule",
    "compile_policy",
    "evaluate",
    "load_policy",
]
