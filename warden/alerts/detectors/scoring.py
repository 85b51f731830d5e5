"""Score a text against phrase families and the jailbreak anatomy, with the discount for
attack text quoted for a task applied once to both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.detectors.framing import discount
from warden.alerts.detectors.phrases import (
    ALL_FAMILIES,
    INJECTION,
    Family,
    Hit,
    combine,
    find_hits,
    words_of,
)
from warden.alerts.detectors.structure import Anatomy, anatomy_of
from warden.alerts.detectors.textview import plain
from warden.alerts.severity import Severity
from warden.alerts.signal import Reason, Signal

_INJECTION_CODES = frozenset(f.code for f in INJECTION)
_JAILBREAK_CODES = frozenset(f.code for f in ALL_FAMILIES) - _INJECTION_CODES
_NEVER_DISCOUNTED = frozenset({"hidden_instruction"})

__all__ = ["PhraseScore", "plain_scores", "plain_text", "plain_words", "score_phrases"]


@dataclass(frozen=True, slots=True)
class PhraseScore:
    score: float
    hits: tuple[Hit, ...]
    lowered_because: str | None = None

    def reasons(self) -> tuple[Reason, ...]:
        ordered = sorted(self.hits, key=lambda h: -h.family.weight)
        return tuple(Reason(h.family.code, h.family.text) for h in ordered)


def score_phrases(
    text: str,
    families: Sequence[Family],
    *,
    apply_discount: bool = True,
    words: frozenset[str] | None = None,
) -> PhraseScore:
    """`text` must already be in the plain view (textview.plain); `words`: its words_of().
    The jailbreak anatomy counts when `families` holds the jailbreak families."""
    if words is None:
        words = words_of(text)
    hits = find_hits(text, families, words)
    anatomy = anatomy_of(text, words) if _JAILBREAK_CODES & {f.code for f in families} else None
    return _scored(text, hits, apply_discount, anatomy)


def _scored(
    text: str, hits: list[Hit], apply_discount: bool, anatomy: Anatomy | None = None
) -> PhraseScore:
    weights = [h.family.weight for h in hits]
    spans = [(h.start, h.end) for h in hits if h.family.weight >= 0.4]
    shown = list(hits)
    if anatomy is not None and anatomy.score > 0:
        weights.append(anatomy.score)
        spans += [(h.start, h.end) for h in anatomy.hits]
        shown += anatomy.hits
    if not weights:
        return PhraseScore(0.0, ())
    raw = combine(weights)
    if not apply_discount:
        return PhraseScore(raw, tuple(shown))
    # An attack aimed at an AI reading a document is never "quoted": it is the payload.
    if any(h.family.code in _NEVER_DISCOUNTED for h in hits):
        return PhraseScore(raw, tuple(shown))
    factor, why = discount(text, spans)
    return PhraseScore(raw * factor, tuple(shown), why)


def plain_text(ctx: PromptContext, settings: DetectorSettings) -> str:
    """The request's user text in the plain view, computed once per request."""
    return ctx.memo("plain_text", lambda: plain(ctx.user_text(settings.max_scan_chars)))


def plain_words(ctx: PromptContext, settings: DetectorSettings) -> frozenset[str]:
    """The words of plain_text (phrases.words_of), computed once per request."""
    return ctx.memo("plain_words", lambda: words_of(plain_text(ctx, settings)))


def plain_scores(ctx: PromptContext, settings: DetectorSettings) -> tuple[PhraseScore, PhraseScore]:
    """(injection, jailbreak) scores of the request's plain view, computed once per request."""

    def compute() -> tuple[PhraseScore, PhraseScore]:
        text = plain_text(ctx, settings)
        # One pass over both sets of families (one index), then the hits split by set.
        hits = find_hits(text, ALL_FAMILIES, plain_words(ctx, settings))
        injection = [h for h in hits if h.family.code in _INJECTION_CODES]
        jailbreak = [h for h in hits if h.family.code not in _INJECTION_CODES]
        anatomy = anatomy_of(text, plain_words(ctx, settings))
        return _scored(text, injection, True), _scored(text, jailbreak, True, anatomy)

    return ctx.memo("plain_scores", compute)


class PlainScoreDetector:
    """A detector that reports one of the two plain-view phrase scores (see plain_scores)."""

    name = ""
    title = ""
    index = 0  # 0: injection, 1: jailbreak

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        scored = plain_scores(ctx, settings)[self.index]
        if scored.score < settings.prompt_min_score:
            return None
        return Signal(
            self.name,
            scored.score,
            Severity.HIGH if scored.score >= 0.9 else Severity.MEDIUM,
            scored.reasons(),
            title=self.title,
        )
