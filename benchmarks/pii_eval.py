"""Token-level F2 for personal data (issue 15's measure), before and after the record,
field and address recognizers, side by side in one run, on a HELD-OUT and a TUNING corpus:

  .venv/bin/python -m benchmarks.pii_eval [--seed N] [--samples N]
  .venv/bin/python -m benchmarks.dlp_scan --pii      (the same)

"before" is the scanner without warden.dlp.recognizers.NAME_ADDRESS_RECOGNIZERS; "after" is
the shipped scanner. Both run the default policy's DLP settings (NER on). The held-out
corpus (tests/dlp/pii_heldout.py) was written before those recognizers and is never tuned on;
the tuning corpus (tests/dlp/pii_tuning.py) is where misses were studied and fixed. Every run
draws fresh values (the seed is printed; pass it back to repeat a run).

Also times one scan of a 151-character prompt and of the 30 KB paste from dlp_scan.py with
both scanners (p50, memo off), so the cost of the new recognizers is read in the same run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from unittest import mock

from tests.dlp.corpus import Sample
from tests.dlp.pii_heldout import build_heldout
from tests.dlp.pii_tuning import build_tuning
from tests.dlp.scoring import Span
from tests.dlp.token_scoring import TokenStats, format_f2_table, token_scores
from warden.dlp import scanner as scanner_module
from warden.dlp.recognizers import NAME_ADDRESS_RECOGNIZERS, PATTERN_RECOGNIZERS
from warden.dlp.scanner import Scanner
from warden.policy.model import DlpPolicy

__all__ = ["baseline_scanner", "evaluate", "main"]


def baseline_scanner() -> Scanner:
    """The scanner as it was before the name, record and address recognizers."""
    before = tuple(r for r in PATTERN_RECOGNIZERS if r not in NAME_ADDRESS_RECOGNIZERS)
    with mock.patch.object(scanner_module, "PATTERN_RECOGNIZERS", before):
        built = Scanner(DlpPolicy(), memo_capacity=0)
    built.warm_up()
    return built


def shipped_scanner() -> Scanner:
    built = Scanner(DlpPolicy(), memo_capacity=0)
    built.warm_up()
    return built


def evaluate(scanner: Scanner, samples: Sequence[Sample]) -> dict[str, TokenStats]:
    results = [
        [Span(f.entity_type, f.start, f.end) for f in scanner.scan_text(s.text)] for s in samples
    ]
    return token_scores(samples, results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh one")
    parser.add_argument("--samples", type=int, default=390, help="per corpus")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"personal data, token-level  {time.strftime('%Y-%m-%d %H:%M')}  seed {seed}")
    before, after = baseline_scanner(), shipped_scanner()
    for title, corpus in (
        ("HELD-OUT (tests/dlp/pii_heldout.py, never tuned on)", build_heldout(seed, args.samples)),
        ("TUNING (tests/dlp/pii_tuning.py)", build_tuning(seed, args.samples)),
    ):
        labels = sum(len(s.labels) for s in corpus)
        print(f"\n{title}: {len(corpus)} texts, {labels} labelled spans")
        print(
            format_f2_table({"before": evaluate(before, corpus), "after": evaluate(after, corpus)})
        )
    if not args.no_timing:
        from benchmarks.dlp_scan import PROMPT_151, p50_ms, prompt_30k

        long_prompt = prompt_30k()
        print(f"\nscan time, p50, memo off{'before':>14}{'after':>10}")
        for label, text, repeat in (
            (f"{len(PROMPT_151)}-char prompt", PROMPT_151, 300),
            (f"{len(long_prompt) // 1000} KB prompt", long_prompt, 15),
        ):
            b = p50_ms(lambda t=text: before.scan_text(t), repeat)
            a = p50_ms(lambda t=text: after.scan_text(t), repeat)
            print(f"  {label:<22}{b:>11.2f} ms{a:>7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
