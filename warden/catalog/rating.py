"""Rate an AI app low, medium, high or unknown from its documented terms, with the reasons.

The rules, in order (docs/catalog.md explains them to people):

1. Inputs used for training by default: **high**. That is what an employee with a personal
   account gets, whatever an enterprise plan could offer; an opt-out is named in the reasons.
2. Training not documented: **unknown**. It is the fact that matters most, so no rating is
   given without it; what is known is still listed.
3. No training by default: **low** when single sign-on, a SOC 2 or ISO 27001 certification
   and a data processing agreement are all documented; otherwise **medium**, and each missing
   or undocumented control is a reason.

Retention and residency do not move the rating, but they are listed so a reviewer sees them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from warden.catalog.risk import Known, Retention, RiskProfile

__all__ = ["Rating", "RiskLevel", "rate"]

# The certifications that count as an audited security programme for rule 3.
_AUDITED = ("soc2", "iso27001")


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Rating:
    level: RiskLevel
    reasons: tuple[str, ...]


@functools.lru_cache(maxsize=1024)
def rate(risk: RiskProfile) -> Rating:
    """The rating of one app's terms; the same terms always give the same rating."""
    if risk.training is Known.YES:
        opt_out = {
            Known.YES: "it can be turned off",
            Known.NO: "it cannot be turned off",
            Known.UNKNOWN: "whether it can be turned off is not documented",
        }[risk.training_opt_out]
        reasons = [f"inputs are used for training by default ({opt_out})"]
        return Rating(RiskLevel.HIGH, (*reasons, *_strengths(risk), *_facts(risk)))
    if risk.training is Known.UNKNOWN:
        reasons = ["whether inputs are used for training is not documented"]
        return Rating(RiskLevel.UNKNOWN, (*reasons, *_strengths(risk), *_facts(risk)))
    gaps = _gaps(risk)
    level = RiskLevel.MEDIUM if gaps else RiskLevel.LOW
    reasons = ["inputs are not used for training by default"]
    return Rating(level, (*reasons, *gaps, *_strengths(risk), *_facts(risk)))


def _gaps(risk: RiskProfile) -> list[str]:
    gaps = []
    if risk.sso is not Known.YES:
        gaps.append(
            "no single sign-on" if risk.sso is Known.NO else "single sign-on not documented"
        )
    if not _audited(risk):
        gaps.append("no SOC 2 or ISO 27001 certification documented")
    if "dpa" not in (risk.agreements or ()):
        gaps.append("no data processing agreement documented")
    return gaps


def _strengths(risk: RiskProfile) -> list[str]:
    """What an organisation could get; listed under every rating."""
    found = []
    if risk.sso is Known.YES:
        found.append("single sign-on")
    found.extend(_certifications(risk))
    if risk.agreements:
        found.append("offers " + " and ".join(a.upper() for a in sorted(risk.agreements)))
    return found


def _audited(risk: RiskProfile) -> bool:
    return any(c in _AUDITED for c in risk.certifications or ())


def _certifications(risk: RiskProfile) -> list[str]:
    names = {"soc2": "SOC 2", "iso27001": "ISO 27001"}
    return [
        f"{names[c]} certified" for c in _AUDITED if c in (risk.certifications or ()) and c in names
    ]


def _facts(risk: RiskProfile) -> list[str]:
    facts = []
    if risk.retention is Retention.ZERO:
        facts.append("prompts are not kept once answered")
    elif risk.retention is Retention.DAYS:
        facts.append(f"prompts are kept for {risk.retention_days} days")
    elif risk.retention is Retention.UNTIL_DELETED:
        facts.append("prompts are kept until deleted")
    if risk.residency:
        facts.append("data residency: " + ", ".join(r.upper() for r in risk.residency))
    return facts
