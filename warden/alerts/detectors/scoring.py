"""Score a text against phrase families, with the discussion discount applied."""

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
from warden.alerts.detectors.textview import plain
from warden.alerts.severity import Severity
from warden.alerts.signal import Reason, Signal

_INJECTION_CODES = frozenset(f.code for f in INJECTION)

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
    """`text` must already be in the plain view (textview.plain); `words`: its words_of()."""
    return _scored(text, find_hits(text, families, words), apply_discount)


def _scored(text: str, hits: list[Hit], apply_discount: bool) -> PhraseScore:
    if not hits:
        return PhraseScore(0.0, ())
    raw = combine([h.family.weight for h in hits])
    if not apply_discount:
        return PhraseScore(raw, tuple(hits))
    # Only the hits that carry weight decide whether the text is discussion.
    factor, why = discount(text, [(h.start, h.end) for h in hits if h.family.weight >= 0.4])
    return PhraseScore(raw * factor, tuple(hits), why)


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
        return _scored(text, injection, True), _scored(text, jailbreak, True)

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
