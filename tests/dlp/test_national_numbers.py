"""SSNs, ITINs and phone numbers written the ways people write them, and what the default
policy sends on in their place."""

from __future__ import annotations

import json
import random
from pathlib import Path

import phonenumbers
import pytest

from warden.dlp.entities import expand_entities
from warden.dlp.recognizers.credit_card import luhn_valid
from warden.dlp.redactor import redact
from warden.dlp.scanner import Scanner
from warden.policy.model import load_policy
from warden.schemas import parse_request

DEFAULT_POLICY = Path(__file__).parents[2] / "policies" / "default.yaml"
RNG = random.Random(20261207)
ITIN_GROUPS = [*range(50, 66), *range(70, 89), 90, 91, 92, *range(94, 100)]
NOT_ITIN_GROUPS = [*range(1, 50), *range(66, 70), 89, 93]


def _ssn(sep: str = "-") -> str:
    area = RNG.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}{sep}{RNG.randint(1, 99):02d}{sep}{RNG.randint(1, 9999):04d}"


def _nine_hundred(groups: list[int], sep: str = "-") -> str:
    area, group = RNG.randint(900, 999), RNG.choice(groups)
    return f"{area}{sep}{group:02d}{sep}{RNG.randint(1, 9999):04d}"


def _e164(prefix: str, digits: int) -> str:
    while True:
        number = prefix + "".join(RNG.choice("0123456789") for _ in range(digits))
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _found(scanner: Scanner, text: str) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in scanner.scan_text(text)]


def _sent(scanner: Scanner, text: str) -> str:
    """The user's message as the default policy's redact rule forwards it."""
    [rule] = [r for r in load_policy(DEFAULT_POLICY).rules if r.redact]
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]})
    request = parse_request(
        "openai", "openai", "POST", "/v1/chat/completions", "application/json", body.encode()
    )
    findings = scanner.scan(request).findings
    result = redact(body.encode(), request, findings, [s.to_spec() for s in rule.redact])
    return str(json.loads(result.body)["messages"][0]["content"])


def test_itins_are_personal_identifiers_the_default_policy_replaces(scanner: Scanner):
    dashed, spaced = _nine_hundred(ITIN_GROUPS), _nine_hundred(ITIN_GROUPS, " ")
    text = f"Contractor ITIN {dashed}, spouse {spaced}."
    assert _found(scanner, text) == [("US_ITIN", dashed), ("US_ITIN", spaced)]
    assert _sent(scanner, text) == "Contractor ITIN <ITIN_1>, spouse <ITIN_2>."
    assert "US_ITIN" in expand_entities(["PII"])


def test_nine_hundred_area_numbers_outside_the_itin_groups_are_still_ssns(scanner: Scanner):
    never_issued = _nine_hundred(NOT_ITIN_GROUPS)
    text = f"Employee record: SSN {never_issued} on file."
    assert _found(scanner, text) == [("US_SSN", never_issued)]
    assert _sent(scanner, text) == "Employee record: SSN <SSN_1> on file."


def test_itin_advertising_numbers_and_never_issued_ssns_are_not_findings(scanner: Scanner):
    assert _found(scanner, f"ITIN 987-65-432{RNG.randint(0, 9)}") == []
    for fake in ("000-12-3456", "666-12-3456", "123-00-4567", "078-05-1120"):
        assert _found(scanner, f"SSN {fake}") == []


def test_ssns_written_with_spaces_are_ssns_not_phone_numbers(scanner: Scanner):
    spaced, dashed = _ssn(" "), _ssn()
    text = f"SSN {spaced} (old record: {dashed})"
    assert _found(scanner, text) == [("US_SSN", spaced), ("US_SSN", dashed)]
    assert _sent(scanner, text) == "SSN <SSN_1> (old record: <SSN_2>)"


@pytest.mark.parametrize(
    "phone",
    [
        f"+1 415 555 {RNG.randint(100, 9999):04d}",
        f"(415) 555-{RNG.randint(100, 9999):04d}",
        f"+1-212-555-{RNG.randint(100, 9999):04d}",
    ],
)
def test_phone_numbers_in_phone_groupings_stay_phone_numbers(scanner: Scanner, phone: str):
    text = f"Call me on {phone} after five."
    assert _found(scanner, text) == [("PHONE_NUMBER", phone)]
    assert _sent(scanner, text) == "Call me on <PHONE_1> after five."


@pytest.mark.parametrize(
    "phone",
    [
        _e164("+49151", 8),  # a German mobile
        _e164("+447", 9),  # a UK mobile
        _e164("+336", 8),  # a French mobile
        f"+447700900{RNG.randint(0, 999):03d}",  # Ofcom's drama range: possible, not valid
    ],
)
def test_e164_numbers_without_spaces_are_phone_numbers(scanner: Scanner, phone: str):
    text = f"Text me on {phone} if the build breaks"
    assert _found(scanner, text) == [("PHONE_NUMBER", phone)]
    assert _sent(scanner, text) == "Text me on <PHONE_1> if the build breaks"


def test_bare_nine_digit_runs_need_an_ssn_or_itin_word(scanner: Scanner):
    ssn, itin = _ssn(""), _nine_hundred(ITIN_GROUPS, "")
    assert _found(scanner, f"SSN: {ssn}") == [("US_SSN", ssn)]
    assert _found(scanner, f"ITIN: {itin}") == [("US_ITIN", itin)]
    for text in (
        f"invoice {ssn} is overdue",
        f"order {itin} shipped",
        f"writing {itin} rows",  # "itin" inside a word is no context
    ):
        assert _found(scanner, text) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "upgrade to 1.2.3 then 10.4.21",
        "deployed 2024-05-17 13:45:09+0200, build 20240517134",
        f"diff line +{RNG.randint(10_000_000, 99_999_999)}",
        f"order #{RNG.randint(100_000_000, 999_999_999)} total 912.50",
        f"ticket {RNG.randint(900, 999)}-{RNG.randint(50, 65)}-{RNG.randint(1000, 9999)}-A",
    ],
)
def test_versions_timestamps_and_ids_are_no_numbers_of_people(scanner: Scanner, text: str):
    assert [t for t, _ in _found(scanner, text) if t != "IP_ADDRESS"] == []


def test_an_e164_number_whose_digits_pass_luhn_is_a_phone_not_a_card(scanner: Scanner):
    phone = _e164("+49151", 8)
    while not luhn_valid(phone[1:]):
        phone = _e164("+49151", 8)
    assert _found(scanner, f"mobile {phone}") == [("PHONE_NUMBER", phone)]
    card = _card()
    assert _found(scanner, f"card {card}") == [("CREDIT_CARD", card)]


def _card() -> str:
    body = "4" + "".join(RNG.choice("0123456789") for _ in range(14))
    return next(body + d for d in "0123456789" if luhn_valid(body + d))
