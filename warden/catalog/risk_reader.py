"""Read the ``risk:`` block of one catalog entry into a RiskProfile, refusing guesses' shapes.

Errors carry the key (and list index) they are about, so the catalog loader can point at the
line and column; this module knows nothing about files.
"""

from __future__ import annotations

from typing import Any

from warden.catalog.risk import AGREEMENTS, CERTIFICATIONS, Known, Retention, RiskProfile

__all__ = ["RISK_KEYS", "RiskFieldError", "read_risk", "valid_url"]

RISK_KEYS = (
    "terms",
    "training",
    "training_opt_out",
    "retention",
    "residency",
    "sso",
    "certifications",
    "agreements",
)
_UNKNOWN = "unknown"


class RiskFieldError(ValueError):
    def __init__(self, where: tuple[str | int, ...], message: str, at_key: bool = False) -> None:
        super().__init__(message)
        self.where = where  # key, or key and list index, inside the risk block
        self.at_key = at_key  # point at the key itself rather than its value


def valid_url(value: object) -> bool:
    """An http(s) URL with a host: what `source` and `terms` must be."""
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    scheme, sep, rest = value.partition("://")
    return bool(sep) and scheme in ("https", "http") and bool(rest.split("/", 1)[0])


def read_risk(raw: Any) -> RiskProfile:
    if not isinstance(raw, dict):
        raise RiskFieldError((), "'risk' must be a mapping of " + ", ".join(RISK_KEYS))
    for key in raw:
        if key not in RISK_KEYS:
            raise RiskFieldError(
                (key,),
                f"unknown risk attribute {key!r}; expected one of {', '.join(RISK_KEYS)}",
                at_key=True,
            )
    retention, days = _retention(raw.get("retention", _UNKNOWN))
    profile = RiskProfile(
        terms=_terms(raw.get("terms", [])),
        training=_known(raw, "training"),
        training_opt_out=_known(raw, "training_opt_out"),
        retention=retention,
        retention_days=days,
        residency=_regions(raw.get("residency", _UNKNOWN)),
        sso=_known(raw, "sso"),
        certifications=_members(raw, "certifications", CERTIFICATIONS),
        agreements=_members(raw, "agreements", AGREEMENTS),
    )
    if profile.known_count() and not profile.terms:
        raise RiskFieldError(
            (), "a known risk attribute needs 'terms': the URLs of the pages it was read on"
        )
    return profile


def _terms(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise RiskFieldError(("terms",), "'terms' must be a list of http(s) URLs")
    for i, url in enumerate(value):
        if not valid_url(url):
            raise RiskFieldError(("terms", i), f"{url!r} is not an http(s) URL")
    return tuple(value)


def _known(raw: dict[str, Any], key: str) -> Known:
    value = raw.get(key, _UNKNOWN)
    if not isinstance(value, str) or value not in {k.value for k in Known}:
        raise RiskFieldError((key,), f"'{key}' is {value!r}; expected yes, no or unknown")
    return Known(value)


def _retention(value: Any) -> tuple[Retention, int | None]:
    if type(value) is int and value > 0:
        return Retention.DAYS, value
    names = (Retention.ZERO.value, Retention.UNTIL_DELETED.value, Retention.UNKNOWN.value)
    if isinstance(value, str) and value in names:
        return Retention(value), None
    raise RiskFieldError(
        ("retention",),
        f"'retention' is {value!r}; expected a number of days, zero, until_deleted or unknown",
    )


def _regions(value: Any) -> tuple[str, ...] | None:
    if value == _UNKNOWN:
        return None
    if not isinstance(value, list) or not value:
        raise RiskFieldError(("residency",), "'residency' must be a list of regions or unknown")
    for i, region in enumerate(value):
        if not isinstance(region, str) or not region.isascii() or not region.isalpha():
            raise RiskFieldError(("residency", i), f"region {region!r} must be a code like eu")
    return tuple(r.lower() for r in value)


def _members(raw: dict[str, Any], key: str, allowed: frozenset[str]) -> tuple[str, ...] | None:
    value = raw.get(key, _UNKNOWN)
    if value == _UNKNOWN:
        return None
    if not isinstance(value, list) or not value:
        raise RiskFieldError((key,), f"'{key}' must be a non-empty list or unknown")
    for i, item in enumerate(value):
        if item not in allowed:
            raise RiskFieldError((key, i), f"{item!r} is not one of {', '.join(sorted(allowed))}")
    return tuple(value)
