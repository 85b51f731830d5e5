"""Floors on the SECOND held-out secrets set (tests/dlp/secrets_heldout2.py), on a seed that
was not among the first measurement's (11, 22, 33: docs/dlp.md, "Secrets, second held-out
set"). The floors sit a little below what that measurement found, so a change that loses
recall or precision on text nobody tuned on fails here. Raise them when the figures rise;
never tune a recognizer on this corpus's templates (write a third set instead).
"""

from __future__ import annotations

import pytest

from benchmarks.secrets_eval import default_scanner, evaluate, scan_all
from benchmarks.secrets_eval2 import details
from tests.dlp.scoring import Span
from tests.dlp.secrets_heldout2 import Case, build_heldout2, corpus_summary

SEED = 4404  # fresh: not one of the measured seeds

# Measured on 5ece9f0's recognizers, seeds 11 22 33 pooled: recall 0.701, precision 0.929.
RECALL_FLOOR = 0.66
PRECISION_FLOOR = 0.89
# Families at 1.000 in every measured seed.
FULL_FAMILIES = (
    "traceback_env", "kubectl", "docker_inspect", "env_sort", "framework_yaml", "cli_status",
    "email_forward", "url_query", "url_basic_auth", "punctuation", "vendor_keys",
)  # fmt: skip
# Vendor formats (fake_keys.py) found in every context they were planted in.
VENDOR_TYPES_FLOOR = 0.97


@pytest.fixture(scope="module")
def run() -> tuple[list[Case], list[list[Span]]]:
    cases = build_heldout2(SEED)
    scanner, min_score = default_scanner()
    return cases, scan_all(scanner, min_score, cases)  # type: ignore[arg-type]


def test_corpus_size() -> None:
    summary = corpus_summary(build_heldout2(SEED))
    assert 280 <= summary["prompts"] <= 340
    assert 320 <= summary["secrets planted"] <= 400
    assert summary["hard negatives"] >= 230


def test_values_fresh_per_seed() -> None:
    def values(seed: int) -> set[str]:
        return {
            c.sample.text[label.start : label.end]
            for c in build_heldout2(seed)
            for label in c.sample.labels
        }

    assert len(values(1) & values(2)) == 0


def test_overall_floors(run: tuple[list[Case], list[list[Span]]]) -> None:
    report = evaluate(*run)  # type: ignore[arg-type]
    assert report.overall.recall >= RECALL_FLOOR, report.overall
    assert report.overall.precision >= PRECISION_FLOOR, report.overall


def test_family_floors(run: tuple[list[Case], list[list[Span]]]) -> None:
    report = evaluate(*run)  # type: ignore[arg-type]
    low = {f: round(report.families[f].recall, 3) for f in FULL_FAMILIES}
    assert all(r >= 0.95 for r in low.values()), low


def test_vendor_type_floor(run: tuple[list[Case], list[list[Span]]]) -> None:
    report = evaluate(*run)  # type: ignore[arg-type]
    vendor = {
        t: s for t, s in report.planted_types.items() if t not in ("GENERIC_SECRET", "AZURE_KEY")
    }
    found = sum(s.found for s in vendor.values())
    planted = sum(s.labels for s in vendor.values())
    assert found / planted >= VENDOR_TYPES_FLOOR, {t: s.recall for t, s in vendor.items()}


def test_details_print_no_value(run: tuple[list[Case], list[list[Span]]]) -> None:
    cases, results = run
    text = "\n".join(details(cases, results))
    for case in cases:
        for label in case.sample.labels:
            value = case.sample.text[label.start : label.end]
            if len(value) >= 6:
                assert value not in text
