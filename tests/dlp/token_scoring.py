"""Token-level F2 of personal-data findings, the measure issue 15 states its targets in.

The text is cut into word tokens (runs of letters and digits). A token is a true positive
for a type when a label of that type and a finding of that type both overlap it; for
"any PII" when any label and any finding overlap it, whatever their types (a name redacted
as an organisation has not leaked). F2 weighs recall four times as much as precision:
a leaked name costs more than an over-redacted word.

ADDRESS labels are scored against LOCATION findings (the type Warden reports addresses
as); the LOCATION row counts cities and countries standing alone plus addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tests.dlp.corpus import Sample
from tests.dlp.scoring import Span

__all__ = ["ANY", "TYPED", "TokenStats", "format_f2_table", "token_scores"]

ANY = "any PII"
TYPED = ("PERSON", "ADDRESS", "LOCATION", "ORGANIZATION")
_TOKEN = re.compile(r"\w+")
_FOUND_AS = {"ADDRESS": "LOCATION"}
_LABELLED_AS = {"LOCATION": frozenset({"LOCATION", "ADDRESS"})}


@dataclass
class TokenStats:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0


def _covered(start: int, end: int, spans: Iterable[tuple[str, int, int]]) -> set[str]:
    return {entity for entity, s, e in spans if s < end and start < e}


def token_scores(
    samples: Sequence[Sample], results: Iterable[Sequence[Span]]
) -> dict[str, TokenStats]:
    stats = {name: TokenStats() for name in (ANY, *TYPED)}
    for sample, spans in zip(samples, results, strict=True):
        gold = [(label.entity, label.start, label.end) for label in sample.labels]
        found = [(span.entity, span.start, span.end) for span in spans]
        for token in _TOKEN.finditer(sample.text):
            g = _covered(token.start(), token.end(), gold)
            f = _covered(token.start(), token.end(), found)
            _count(stats[ANY], bool(g), bool(f))
            for name in TYPED:
                labelled = bool(g & _LABELLED_AS.get(name, frozenset({name})))
                if name == "ADDRESS":
                    # A LOCATION finding on a city standing alone is the LOCATION row's.
                    reported = "LOCATION" in f and "LOCATION" not in g
                else:
                    reported = _FOUND_AS.get(name, name) in f
                _count(stats[name], labelled, reported)
    return stats


def _count(stats: TokenStats, labelled: bool, reported: bool) -> None:
    if labelled and reported:
        stats.tp += 1
    elif reported:
        stats.fp += 1
    elif labelled:
        stats.fn += 1


def format_f2_table(columns: dict[str, dict[str, TokenStats]]) -> str:
    """One row per type, one F2 / recall / precision triple per column (e.g. before, after)."""
    head = f"{'type':<14}" + "".join(f"{name + ' F2':>16}{'R':>7}{'P':>7}" for name in columns)
    lines = [head]
    for row in (ANY, *TYPED):
        cells = ""
        for stats in columns.values():
            s = stats[row]
            cells += f"{s.f2:>16.3f}{s.recall:>7.3f}{s.precision:>7.3f}"
        lines.append(f"{row:<14}{cells}")
    return "\n".join(lines)
