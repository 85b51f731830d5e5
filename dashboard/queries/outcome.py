"""What happened to a request, as one word: the categories the charts and the queue use."""

from __future__ import annotations

__all__ = ["OUTCOMES", "OUTCOME_SQL", "REVIEW_OUTCOMES"]

# First match wins: a blocked request that also had findings is "blocked".
OUTCOME_SQL = """CASE
    WHEN blocked THEN 'blocked'
    WHEN action = 'coach' THEN 'coached'
    WHEN redaction IS NOT NULL THEN 'redacted'
    WHEN action = 'monitor' AND rule_id IS NOT NULL THEN 'flagged'
    ELSE 'allowed' END"""

OUTCOMES = ("allowed", "flagged", "redacted", "coached", "blocked")
# What lands in the review queue: everything but plain allowed traffic. "flagged" is a
# request a `monitor` rule matched: allowed, but marked for review by the policy.
REVIEW_OUTCOMES = ("blocked", "coached", "redacted", "flagged")
