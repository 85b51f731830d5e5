"""The rating a security team sees for an app, derived from what its vendor's terms say."""

from __future__ import annotations

import pytest

from warden.catalog import Known, Retention, RiskLevel, RiskProfile, rate

TERMS = ("https://vendor.example/terms",)
# Everything rule 3 asks for: SSO, an audited certification and a DPA.
CONTROLS = {"sso": Known.YES, "certifications": ("soc2",), "agreements": ("dpa",)}


def test_nothing_documented_is_unknown_not_a_guess() -> None:
    rating = rate(RiskProfile())
    assert rating.level is RiskLevel.UNKNOWN
    assert rating.reasons == ("whether inputs are used for training is not documented",)


@pytest.mark.parametrize(
    ("opt_out", "says"),
    [
        (Known.YES, "it can be turned off"),
        (Known.NO, "it cannot be turned off"),
        (Known.UNKNOWN, "whether it can be turned off is not documented"),
    ],
)
def test_training_by_default_is_high_whatever_else_is_offered(opt_out: Known, says: str) -> None:
    profile = RiskProfile(terms=TERMS, training=Known.YES, training_opt_out=opt_out, **CONTROLS)
    rating = rate(profile)
    assert rating.level is RiskLevel.HIGH
    assert rating.reasons[0] == f"inputs are used for training by default ({says})"
    # What an organisation could get is still shown, so the reviewer sees the way out.
    assert "single sign-on" in rating.reasons and "offers DPA" in rating.reasons


def test_no_training_and_every_control_documented_is_low() -> None:
    rating = rate(RiskProfile(terms=TERMS, training=Known.NO, **CONTROLS))
    assert rating.level is RiskLevel.LOW
    assert rating.reasons == (
        "inputs are not used for training by default",
        "single sign-on",
        "SOC 2 certified",
        "offers DPA",
    )


@pytest.mark.parametrize(
    ("missing", "gap"),
    [
        ({"sso": Known.NO}, "no single sign-on"),
        ({"sso": Known.UNKNOWN}, "single sign-on not documented"),
        ({"certifications": None}, "no SOC 2 or ISO 27001 certification documented"),
        ({"certifications": ("iso42001",)}, "no SOC 2 or ISO 27001 certification documented"),
        ({"agreements": None}, "no data processing agreement documented"),
        ({"agreements": ("baa",)}, "no data processing agreement documented"),
    ],
)
def test_each_missing_control_makes_it_medium_and_is_named(missing: dict, gap: str) -> None:
    rating = rate(RiskProfile(terms=TERMS, training=Known.NO, **{**CONTROLS, **missing}))
    assert rating.level is RiskLevel.MEDIUM
    assert gap in rating.reasons


def test_iso27001_counts_like_soc2() -> None:
    controls = {**CONTROLS, "certifications": ("iso27001",)}
    assert rate(RiskProfile(terms=TERMS, training=Known.NO, **controls)).level is RiskLevel.LOW


@pytest.mark.parametrize(
    ("retention", "days", "says"),
    [
        (Retention.ZERO, None, "prompts are not kept once answered"),
        (Retention.DAYS, 30, "prompts are kept for 30 days"),
        (Retention.UNTIL_DELETED, None, "prompts are kept until deleted"),
    ],
)
def test_retention_and_residency_are_listed_but_do_not_move_the_rating(
    retention: Retention, days: int | None, says: str
) -> None:
    profile = RiskProfile(
        terms=TERMS,
        training=Known.NO,
        retention=retention,
        retention_days=days,
        residency=("eu", "us"),
        **CONTROLS,
    )
    rating = rate(profile)
    assert rating.level is RiskLevel.LOW
    assert says in rating.reasons and "data residency: EU, US" in rating.reasons


def test_unknown_training_stays_unknown_even_with_every_control() -> None:
    rating = rate(RiskProfile(terms=TERMS, **CONTROLS))
    assert rating.level is RiskLevel.UNKNOWN
    assert "SOC 2 certified" in rating.reasons
