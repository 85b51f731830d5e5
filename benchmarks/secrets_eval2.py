"""Secrets recall and precision on the SECOND held-out corpus (tests/dlp/secrets_heldout2.py):

  .venv/bin/python -m benchmarks.secrets_eval2 [--seed N ...] [--details]

The same scan and scoring as benchmarks/secrets_eval.py (the default policy's settings;
tests/dlp/scoring.py's SECRETS group), on a corpus nobody tuned the recognizers on. Prints
recall and precision overall, per context family and per secret type; `--details` lists
every miss and false positive by template and masked shape. Never prints a value. Several
seeds may be given: each is reported on its own, then all of them pooled.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence

from benchmarks.secrets_eval import _commit, default_scanner, evaluate, format_report, scan_all
from tests.dlp.scoring import Span
from tests.dlp.secrets_heldout2 import Case, build_heldout2, corpus_summary, shape
from warden.dlp.entities import SECRET_ENTITIES

__all__ = ["details", "main"]


def details(cases: Sequence[Case], results: Sequence[Sequence[Span]]) -> list[str]:
    """Every miss and false positive, by template and shape (counted): never a value."""
    misses: Counter[str] = Counter()
    for case, spans in zip(cases, results, strict=True):
        text = case.sample.text
        secret = sorted((s for s in spans if s.entity in SECRET_ENTITIES), key=lambda s: s.start)
        for label, kind in zip(case.sample.labels, case.kinds, strict=True):
            pos = label.start
            for s in secret:
                if s.start <= pos < s.end:
                    pos = s.end
            if pos < label.end:
                over = sorted(
                    {s.entity for s in spans if s.start < label.end and label.start < s.end}
                )
                how = ("partly/overlapped by " + "+".join(over)) if over else "nothing"
                misses[
                    f"{case.sample.kind:<44} {label.entity:<22} {kind:<28} "
                    f"{shape(text[label.start : label.end])}  [{how}]"
                ] += 1
    fps: Counter[str] = Counter()
    for case, spans in zip(cases, results, strict=True):
        for s in spans:
            if s.entity in SECRET_ENTITIES and not any(
                label.start < s.end and s.start < label.end for label in case.sample.labels
            ):
                fps[
                    f"{case.sample.kind:<44} {s.entity:<22} "
                    f"{shape(case.sample.text[s.start : s.end])}"
                ] += 1
    lines = ["", "MISSES (count  family/template  planted type  kind  shape  [what covered it])"]
    lines += [f"  {n:>3}  {k}" for k, n in sorted(misses.items())]
    lines += ["", "FALSE POSITIVES (count  family/template  reported type  shape of the finding)"]
    lines += [f"  {n:>3}  {k}" for k, n in sorted(fps.items())]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, nargs="*", default=None, help="default: a fresh one")
    parser.add_argument("--details", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)
    seeds = args.seed or [random.SystemRandom().randrange(10**6)]
    scanner, min_score = default_scanner()
    pooled_cases: list[Case] = []
    pooled_results: list[list[Span]] = []
    runs = [(str(seed), build_heldout2(seed)) for seed in seeds]
    for name, cases in runs:
        started = time.perf_counter()
        results = scan_all(scanner, min_score, cases)  # type: ignore[arg-type]
        took = time.perf_counter() - started
        pooled_cases += cases
        pooled_results += results
        summary = ", ".join(f"{v} {k}" for k, v in corpus_summary(cases).items())
        print(
            f"secrets, SECOND HELD-OUT (tests/dlp/secrets_heldout2.py)  "
            f"{time.strftime('%Y-%m-%d %H:%M')}  commit {_commit()}  seed {name}\n{summary}\n"
            f"default policy: min_score {min_score}, scan {took:.1f} s\n"
        )
        print(format_report(evaluate(cases, results)))  # type: ignore[arg-type]
        print()
    if len(runs) > 1:
        summary = ", ".join(f"{v} {k}" for k, v in corpus_summary(pooled_cases).items())
        print(f"==== POOLED, seeds {' '.join(n for n, _ in runs)}\n{summary}\n")
        print(format_report(evaluate(pooled_cases, pooled_results)))  # type: ignore[arg-type]
    if args.details:
        print("\n".join(details(pooled_cases, pooled_results)))
        other = Counter(
            s.entity for spans in pooled_results for s in spans if s.entity not in SECRET_ENTITIES
        )
        print(f"\n(non-secret findings, not scored here: {dict(other.most_common())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
