"""Precision and recall per entity type on the generated corpus, with the issue's floors.

Run with -s to see the table; it is also printed at the end of the run.
"""

from __future__ import annotations

import pytest

from tests.dlp.corpus import Sample, build_corpus, build_long_corpus
from tests.dlp.scoring import SECRETS, Span, Stats, format_table, score
from warden.dlp.scanner import Scanner

FLOORS = {
    # (recall, precision or None)
    SECRETS: (0.99, 0.95),
    "EMAIL_ADDRESS": (0.95, None),
    "PHONE_NUMBER": (0.95, None),
    "CREDIT_CARD": (0.95, None),
    "IBAN_CODE": (0.95, None),
    "US_SSN": (0.95, None),
    "PERSON": (0.80, None),
}


@pytest.fixture(scope="module")
def corpus() -> list[Sample]:
    return build_corpus()


@pytest.fixture(scope="module")
def stats(corpus: list[Sample], scanner: Scanner) -> dict[str, Stats]:
    results = [
        [Span(f.entity_type, f.start, f.end) for f in scanner.scan_text(sample.text)]
        for sample in corpus
    ]
    return score(corpus, results)


def test_corpus_covers_every_family_and_has_negatives(corpus: list[Sample]):
    planted = {label.entity for sample in corpus for label in sample.labels}
    assert len(planted) >= 28
    assert sum(1 for s in corpus if not s.labels) >= 200


def test_accuracy_meets_the_floors(stats: dict[str, Stats], capsys: pytest.CaptureFixture[str]):
    table = format_table(stats, "DLP accuracy on the generated corpus (tests/dlp/corpus.py)")
    with capsys.disabled():
        print("\n" + table)
    misses = []
    for entity, (recall, precision) in FLOORS.items():
        s = stats[entity]
        if s.recall < recall:
            misses.append(f"{entity} recall {s.recall:.3f} < {recall}")
        if precision is not None and s.precision < precision:
            misses.append(f"{entity} precision {s.precision:.3f} < {precision}")
    assert not misses, "\n".join(misses)


def test_every_secret_family_is_found_on_its_own(stats: dict[str, Stats]):
    """The group floor must not hide one family that is never found."""
    from warden.dlp.entities import SECRET_ENTITIES

    weak = {
        e: round(stats[e].recall, 3)
        for e in SECRET_ENTITIES
        if e in stats and stats[e].recall < 0.9
    }
    assert not weak


def test_the_ner_budget_on_long_pastes_is_measured(
    scanner: Scanner, capsys: pytest.CaptureFixture[str]
):
    """Names past the NER budget are not searched: the recall below shows what that costs."""
    corpus = build_long_corpus()
    results, notes = [], set()
    for sample in corpus:
        scan = scanner.scan_texts([((), sample.text)])
        notes |= set(scan.notes)
        results.append([Span(f.entity_type, f.start, f.end) for f in scan.findings])
    stats = score(corpus, results)
    sizes = ", ".join(f"{len(s.text):,}" for s in corpus)
    with capsys.disabled():
        print("\n" + format_table({"PERSON": stats["PERSON"]}, f"Long pastes ({sizes} chars)"))
    assert "ner_truncated" in notes
    assert stats["PERSON"].recall > 0.2  # the budget's share of each paste, no less
