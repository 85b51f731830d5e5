"""Secrets recall and precision on the HELD-OUT secrets corpus (tests/dlp/secrets_heldout.py):

  .venv/bin/python -m benchmarks.secrets_eval [--seed N] [--details]

Scans every prompt with the default policy's settings (policies/default.yaml: its `dlp:`
section, and the min_score of the rule that redacts SECRETS) and scores with
tests/dlp/scoring.py: a planted secret is found when findings of any SECRETS type cover all of
it; a finding of a SECRETS type is a false positive when it overlaps no planted secret.
Prints recall and precision overall, per context family and per secret type (planted type for
recall, reported type for precision); `--details` lists every miss and false positive by
template and masked shape. Never prints a value: only families, template names and shapes.
Every run draws fresh values (the seed is printed; pass it back to repeat a run).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.dlp.corpus import Sample
from tests.dlp.scoring import SECRETS, Span, Stats, score
from tests.dlp.secrets_heldout import Case, build_heldout, corpus_summary, shape
from warden.dlp.entities import SECRET_ENTITIES, expand_entities
from warden.dlp.scanner import Scanner
from warden.policy.model import load_policy

__all__ = ["Report", "evaluate", "main", "scan_all"]

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "policies" / "default.yaml"


def default_scanner() -> tuple[Scanner, float]:
    """The scanner as the default policy builds it, and the min_score its secrets rule uses."""
    policy = load_policy(DEFAULT_POLICY)
    min_score = policy.dlp.min_score
    for rule in policy.rules:
        dlp = rule.match.dlp
        if dlp is not None and expand_entities(dlp.entities) >= SECRET_ENTITIES:
            min_score = max(min_score, dlp.min_score)
            break
    scanner = Scanner(policy.dlp, memo_capacity=0)
    scanner.warm_up()
    return scanner, min_score


def scan_all(scanner: Scanner, min_score: float, cases: Sequence[Case]) -> list[list[Span]]:
    return [
        [
            Span(f.entity_type, f.start, f.end)
            for f in scanner.scan_text(case.sample.text)
            if f.score >= min_score
        ]
        for case in cases
    ]


@dataclass
class Report:
    overall: Stats
    families: dict[str, Stats]
    planted_types: dict[str, Stats]  # recall by what was planted
    reported_types: dict[str, Stats]  # precision by what was reported
    kinds: dict[str, Stats]  # recall by the finer kind (telegram bot token, password/...)


def _secret_stats(samples: list[Sample], results: Sequence[Sequence[Span]]) -> Stats:
    return score(samples, results).get(SECRETS, Stats())


def evaluate(cases: Sequence[Case], results: Sequence[Sequence[Span]]) -> Report:
    samples = [c.sample for c in cases]
    overall = _secret_stats(samples, results)
    families: dict[str, Stats] = {}
    for family in dict.fromkeys(c.family for c in cases):
        idx = [i for i, c in enumerate(cases) if c.family == family]
        families[family] = _secret_stats([samples[i] for i in idx], [results[i] for i in idx])

    def recall_by(key: str) -> dict[str, Stats]:
        groups: dict[str, Stats] = {}
        names = sorted(
            {
                (label.entity if key == "entity" else kind)
                for c in cases
                for label, kind in zip(c.sample.labels, c.kinds, strict=True)
            }
        )
        for name in names:
            subset = [
                Sample(
                    c.sample.kind,
                    c.sample.text,
                    [
                        label
                        for label, kind in zip(c.sample.labels, c.kinds, strict=True)
                        if (label.entity if key == "entity" else kind) == name
                    ],
                )
                for c in cases
            ]
            s = _secret_stats(subset, results)
            groups[name] = Stats(labels=s.labels, found=s.found)
        return groups

    reported: dict[str, Stats] = {}
    for entity in sorted({s.entity for spans in results for s in spans} & SECRET_ENTITIES):
        s = _secret_stats(samples, [[x for x in spans if x.entity == entity] for spans in results])
        reported[entity] = Stats(findings=s.findings, correct=s.correct)
    return Report(overall, families, recall_by("entity"), reported, recall_by("kind"))


def _covered_by(label_start: int, label_end: int, spans: Sequence[Span]) -> str:
    over = [s for s in spans if s.start < label_end and label_start < s.end]
    if not over:
        return "nothing"
    secret = [s for s in over if s.entity in SECRET_ENTITIES]
    other = sorted({s.entity for s in over if s.entity not in SECRET_ENTITIES})
    parts = []
    if secret:
        parts.append("partly " + "+".join(sorted({s.entity for s in secret})))
    if other:
        parts.append("overlapped by " + "+".join(other))
    return ", ".join(parts)


def details(cases: Sequence[Case], results: Sequence[Sequence[Span]]) -> list[str]:
    """Every miss and false positive, by template and shape: never a value."""
    lines = ["", "MISSES (family/template  planted type  kind  shape  what covered it)"]
    for case, spans in zip(cases, results, strict=True):
        text = case.sample.text
        secret_spans = sorted(
            (s for s in spans if s.entity in SECRET_ENTITIES), key=lambda s: s.start
        )
        for label, kind in zip(case.sample.labels, case.kinds, strict=True):
            pos = label.start
            for s in secret_spans:
                if s.start <= pos < s.end:
                    pos = s.end
            if pos < label.end:
                lines.append(
                    f"  {case.sample.kind:<40} {label.entity:<24} {kind:<32} "
                    f"{shape(text[label.start : label.end])}  "
                    f"[{_covered_by(label.start, label.end, spans)}]"
                )
    lines += ["", "FALSE POSITIVES (family/template  reported type  shape of the finding)"]
    for case, spans in zip(cases, results, strict=True):
        for s in spans:
            if s.entity not in SECRET_ENTITIES:
                continue
            if not any(
                label.entity in SECRET_ENTITIES and label.start < s.end and s.start < label.end
                for label in case.sample.labels
            ):
                lines.append(
                    f"  {case.sample.kind:<40} {s.entity:<24} "
                    f"{shape(case.sample.text[s.start : s.end])}"
                )
    return lines


def _row(name: str, s: Stats, recall: bool = True, precision: bool = True) -> str:
    r = f"{s.found:>7}/{s.labels:<5}{s.recall:>8.3f}" if recall else f"{'':>13}{'-':>7}"
    p = (
        f"{s.correct:>12}/{s.findings:<5}{s.precision:>10.3f}"
        if precision
        else f"{'':>18}{'-':>10}"
    )
    return f"  {name:<34}{r}{p}"


def format_report(report: Report) -> str:
    head = f"  {'':<34}{'found/planted':>13}{'recall':>7}{'correct/reported':>18}{'precision':>10}"
    lines = [
        f"OVERALL  recall {report.overall.recall:.3f}  precision {report.overall.precision:.3f}",
        _row("SECRETS (any type)", report.overall),
        "",
        "PER FAMILY (neg_*: hard negatives, precision only)",
        head,
    ]
    for family, s in report.families.items():
        lines.append(_row(family, s, recall=not family.startswith("neg_")))
    lines += ["", "PER PLANTED TYPE (recall: covered by any SECRETS finding)", head]
    lines += [_row(n, s, precision=False) for n, s in report.planted_types.items()]
    lines += ["", "PER REPORTED TYPE (precision: overlaps a planted secret)", head]
    lines += [_row(n, s, recall=False) for n, s in report.reported_types.items()]
    lines += ["", "PER KIND (recall)", head]
    lines += [_row(n, s, precision=False) for n, s in report.kinds.items()]
    return "\n".join(lines)


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=DEFAULT_POLICY.parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh one")
    parser.add_argument("--details", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    cases = build_heldout(seed)
    scanner, min_score = default_scanner()
    started = time.perf_counter()
    results = scan_all(scanner, min_score, cases)
    took = time.perf_counter() - started
    summary = ", ".join(f"{v} {k}" for k, v in corpus_summary(cases).items())
    print(
        f"secrets, HELD-OUT (tests/dlp/secrets_heldout.py)  {time.strftime('%Y-%m-%d %H:%M')}  "
        f"commit {_commit()}  seed {seed}\n{summary}\n"
        f"default policy: min_score {min_score}, scan {took:.1f} s\n"
    )
    print(format_report(evaluate(cases, results)))
    if args.details:
        print("\n".join(details(cases, results)))
        other = Counter(
            s.entity for spans in results for s in spans if s.entity not in SECRET_ENTITIES
        )
        print(f"\n(non-secret findings, not scored here: {dict(other.most_common())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
