"""What a vendor's public terms say about an AI app: the facts a security team weighs.

Every attribute may be unknown, and unknown is the default: the catalog records only what
was read in the vendor's own terms or documentation (the entry's ``terms`` URLs), never what
seems likely. ``training`` describes the plan a person gets by signing up on their own (what
shadow AI is); ``sso``, ``certifications`` and ``agreements`` describe what the vendor offers
an organisation (what it would take to sanction the app).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AGREEMENTS",
    "ATTRIBUTE_COUNT",
    "CERTIFICATIONS",
    "Known",
    "Retention",
    "RiskProfile",
]


class Known(StrEnum):
    """A yes/no fact that the sources may not settle."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Retention(StrEnum):
    """How long prompts are kept; a number of days is given as ``retention_days``."""

    ZERO = "zero"  # not stored once answered
    DAYS = "days"  # kept for a stated number of days
    UNTIL_DELETED = "until_deleted"  # kept until the user or admin deletes it
    UNKNOWN = "unknown"


# Certifications a vendor can claim, as written in the catalog. SOC 2 and ISO 27001 are the two
# the rating weighs; the others are kept because a reviewer asks for them.
CERTIFICATIONS = frozenset(
    {
        "soc2",
        "soc3",
        "iso27001",
        "iso27017",
        "iso27018",
        "iso27701",
        "iso42001",
        "csa-star",
        "c5",
        "fedramp",
        "hitrust",
        "pci-dss",
    }
)

# How many attributes RiskProfile.known_count can count.
ATTRIBUTE_COUNT = 7

# Business agreements: a data processing agreement (GDPR) and a HIPAA business associate one.
AGREEMENTS = frozenset({"dpa", "baa"})


@dataclass(frozen=True, slots=True)
class RiskProfile:
    """One app's documented terms; ``None`` for a list means nothing was documented."""

    terms: tuple[str, ...] = ()  # URLs of the pages the attributes were read on
    training: Known = Known.UNKNOWN  # inputs used to train models by default
    training_opt_out: Known = Known.UNKNOWN  # a person or admin can turn that off
    retention: Retention = Retention.UNKNOWN
    retention_days: int | None = None  # with Retention.DAYS
    residency: tuple[str, ...] | None = None  # regions a customer can choose, e.g. ("eu", "us")
    sso: Known = Known.UNKNOWN  # SAML or OIDC single sign-on for organisations
    certifications: tuple[str, ...] | None = None  # members of CERTIFICATIONS
    agreements: tuple[str, ...] | None = None  # members of AGREEMENTS

    def known_count(self) -> int:
        """How many of the seven attributes the sources settle (for coverage reports)."""
        return sum(
            (
                self.training is not Known.UNKNOWN,
                self.training_opt_out is not Known.UNKNOWN,
                self.retention is not Retention.UNKNOWN,
                self.residency is not None,
                self.sso is not Known.UNKNOWN,
                self.certifications is not None,
                self.agreements is not None,
            )
        )
