"""Precision and recall per entity type of DLP findings against a labelled corpus.

A planted value counts as found when findings of its type cover all of it (a secret that
is half redacted has leaked), except names, where any overlap counts (spaCy's "Mr. Smith" for
a planted "Smith"). A finding counts as correct when it overlaps a planted value of its
type. For the SECRETS group any secret type counts: what matters is that the key is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tests.dlp.corpus import Label, Sample
from warden.dlp.entities import SECRET_ENTITIES

__all__ = ["SECRETS", "Stats", "format_table", "score"]

SECRETS = "SECRETS (any type)"
_OVERLAP_ENOUGH = frozenset({"PERSON", "LOCATION", "ORGANIZATION"})


@dataclass(frozen=True, slots=True)
class Span:
    entity: str
    start: int
    end: int


@dataclass
class Stats:
    labels: int = 0
    found: int = 0
    findings: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.labels if self.labels else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.findings if self.findings else 1.0


def _covered(label: Label, spans: Sequence[Span]) -> bool:
    pos = label.start
    for span in sorted(spans, key=lambda s: s.start):
        if span.start <= pos < span.end:
            pos = span.end
        if pos >= label.end:
            return True
    return pos >= label.end


def _overlaps(a: Label | Span, b: Label | Span) -> bool:
    return a.start < b.end and b.start < a.end


def score(samples: Sequence[Sample], results: Iterable[Sequence[Span]]) -> dict[str, Stats]:
    stats: dict[str, Stats] = {}
    group = stats.setdefault(SECRETS, Stats())
    for sample, spans in zip(samples, results, strict=True):
        for label in sample.labels:
            s = stats.setdefault(label.entity, Stats())
            s.labels += 1
            same = [f for f in spans if f.entity == label.entity]
            if label.entity in _OVERLAP_ENOUGH:
                s.found += any(_overlaps(label, f) for f in same)
            else:
                s.found += _covered(label, same)
            if label.entity in SECRET_ENTITIES:
                group.labels += 1
                group.found += _covered(label, [f for f in spans if f.entity in SECRET_ENTITIES])
        for span in spans:
            s = stats.setdefault(span.entity, Stats())
            s.findings += 1
            s.correct += any(
                label.entity == span.entity and _overlaps(label, span) for label in sample.labels
            )
            if span.entity in SECRET_ENTITIES:
                group.findings += 1
                group.correct += any(
                    label.entity in SECRET_ENTITIES and _overlaps(label, span)
                    for label in sample.labels
                )
    return stats


def format_table(stats: dict[str, Stats], title: str) -> str:
    lines = [
        title,
        f"{'entity':<26}{'planted':>8}{'found':>7}{'recall':>8}{'reported':>10}{'precision':>11}",
    ]
    for name in sorted(stats, key=lambda n: (n == SECRETS, n)):
        s = stats[name]
        lines.append(
            f"{name:<26}{s.labels:>8}{s.found:>7}{s.recall:>8.3f}{s.findings:>10}{s.precision:>11.3f}"
        )
    return "\n".join(lines)
