"""Detection quality on the labelled prompt set: precision >= 0.90, recall >= 0.80.

Prints the figures (run with -s to see them, or `python -m tests.alerts.labelled_prompts`).
"""

from __future__ import annotations

from tests.alerts.labelled_prompts import HOLDOUT, LABELLED, POSITIVE_LABELS, evaluate


def test_labelled_set_is_large_and_balanced_enough():
    assert len(LABELLED) >= 150
    positives = sum(1 for label, _ in LABELLED if label in POSITIVE_LABELS)
    assert 0.3 < positives / len(LABELLED) < 0.7
    assert sum(1 for label, _ in LABELLED if label == "benign") >= 60


def test_precision_and_recall_meet_the_targets():
    report = evaluate()
    print(
        f"\nprompt detectors on {report['prompts']} labelled prompts: "
        f"precision {report['precision']:.3f}, recall {report['recall']:.3f}"
    )
    # Only the first characters: these are attack strings, not secrets, but keep it short.
    assert report["precision"] >= 0.90, [t[:60] for t in report["false_positives"]]
    assert report["recall"] >= 0.80, [t[:60] for t in report["false_negatives"]]


def test_holdout_prompts_meet_the_targets_too():
    report = evaluate(HOLDOUT)
    assert report["precision"] >= 0.90 and report["recall"] >= 0.80
