"""YAML access policies: who may send what to which AI."""

from warden.policy.evaluator import Decision, PolicyContext, evaluate
from warden.policy.model import Action, Policy, PolicyRule, load_policy

__all__ = ["Action", "Decision", "Policy", "PolicyContext", "PolicyRule", "evaluate", "load_policy"]
