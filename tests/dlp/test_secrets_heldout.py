"""Secrets on the HELD-OUT corpus (tests/dlp/secrets_heldout.py), a fresh seed every run, at
the default policy's settings: floors a little below the first measured figures (recall 0.870,
precision 0.953 at seed 1515), so a change that loses secrets or adds false positives fails.
The issue's target is higher (recall 0.98 at precision 0.95): raise the floors as it is met."""

from __future__ import annotations

import random

import pytest

from benchmarks.secrets_eval import (
    Report,
    default_scanner,
    details,
    evaluate,
    format_report,
    scan_all,
)
from tests.dlp.scoring import Span
from tests.dlp.secrets_heldout import Case, build_heldout, corpus_summary, shape

RECALL_FLOOR = 0.84
PRECISION_FLOOR = 0.93
SEED = random.SystemRandom().randrange(10**6)


@pytest.fixture(scope="module")
def run() -> tuple[list[Case], list[list[Span]]]:
    cases = build_heldout(SEED)
    scanner, min_score = default_scanner()
    return cases, scan_all(scanner, min_score, cases)


@pytest.fixture(scope="module")
def report(run: tuple[list[Case], list[list[Span]]]) -> Report:
    return evaluate(*run)


def test_the_corpus_has_the_size_it_claims():
    summary = corpus_summary(build_heldout(SEED))
    assert summary["secrets"] >= 400
    assert summary["prompts with secrets"] >= 400
    assert summary["hard negatives"] >= 350


def test_the_corpus_draws_fresh_values_per_seed():
    a, b = build_heldout(SEED), build_heldout(SEED + 1)
    assert [c.sample.text for c in a] != [c.sample.text for c in b]
    assert [c.sample.text for c in a] == [c.sample.text for c in build_heldout(SEED)]


def test_recall_and_precision_hold_their_floors(report: Report, capsys: pytest.CaptureFixture[str]):
    with capsys.disabled():
        print(f"\nsecrets held-out, seed {SEED}\n{format_report(report)}")
    overall = report.overall
    assert overall.recall >= RECALL_FLOOR, f"seed {SEED}: recall {overall.recall:.3f}"
    assert overall.precision >= PRECISION_FLOOR, f"seed {SEED}: precision {overall.precision:.3f}"


def test_the_report_never_prints_a_planted_value(run: tuple[list[Case], list[list[Span]]]):
    cases, results = run
    text = format_report(evaluate(cases, results)) + "\n".join(details(cases, results))
    for case in cases:
        for label in case.sample.labels:
            value = case.sample.text[label.start : label.end]
            if len(value) >= 8:
                assert value not in text, f"{case.sample.kind}: {shape(value)} printed"


def test_shape_hides_the_value():
    assert shape("sk-ant-api03-AbC9") == "a{2}-a{3}-a9{5}-Aa9{4}"
    assert shape("pass word") == "a{4}␠a{4}"
