"""Encoded or obfuscated payloads: an injection or jailbreak that only appears once the text
is decoded (base64, hex, ROT13, reversal) or cleaned (zero-width characters, Unicode tag
characters, look-alike letters, leetspeak, spaced letters); and requests to decode something
and then obey it. Hiding a phrase is itself a reason, so a decoded hit scores higher."""

from __future__ import annotations

import re

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.detectors.literals import Gate
from warden.alerts.detectors.phrases import ALL_FAMILIES, combine, keys_hidden_as
from warden.alerts.detectors.scoring import plain_scores, plain_text, plain_words, score_phrases
from warden.alerts.detectors.textview import obfuscation_views, views_follow_plain
from warden.alerts.severity import Severity
from warden.alerts.signal import Reason, Signal

__all__ = ["ObfuscationDetector"]

_TRANSFORMS = ("rot13", "reversed")
HIDING_BONUS = 0.3
_DECODE_AND_OBEY = re.compile(
    r"\b(?:decode|decrypt|translate|convert|unscramble|reverse|deobfuscate|read)\b[^.]{0,60}"
    r"\b(?:and|then)\b[^.]{0,30}\b(?:follow|execute|obey|run|carry out|perform|act on|comply "
    r"with|do what)\b[^.]{0,30}\b(?:it|them|this|that|instructions?|what it says|whatever it "
    r"says|the result|inside)\b"
)
_DECODE_AND_OBEY_GATE = Gate.of(_DECODE_AND_OBEY)
_VIEW_TEXT = {
    "zero_width": "hides words with invisible characters",
    "unicode_tags": "hides text in invisible Unicode tag characters",
    "homoglyphs": "writes words with look-alike letters from other scripts",
    "leetspeak": "writes words in leetspeak",
    "spaced_letters": "spells words out letter by letter",
    "rot13": "encodes instructions with ROT13",
    "reversed": "writes instructions backwards",
    "base64": "encodes instructions in base64",
    "hex": "encodes instructions in hex",
}


class ObfuscationDetector:
    name = "obfuscated_payload"

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        raw = ctx.user_text(settings.max_scan_chars)
        visible = plain_text(ctx, settings)
        seen = plain_scores(ctx, settings)
        if max(s.score for s in seen) >= settings.prompt_min_score:
            return None  # readable as it is: the injection or jailbreak detector reports it
        # A view that only finds what is readable anyway (a quoted phrase the plain view
        # discounted) has uncovered nothing hidden.
        visible_codes = {h.family.code for s in seen for h in s.hits}
        best_score = 0.0
        reasons: tuple[Reason, ...] = ()
        # For short ASCII text the ROT13 and reversed views are the plain text transformed,
        # and so are their words: when none of those can be a key word, only the few gates
        # without one need a look, and the view's own words need not be collected.
        transformed = views_follow_plain(raw)
        words = plain_words(ctx, settings)
        for view, decoded in obfuscation_views(raw, visible):
            hidden_keys = keys_hidden_as(ALL_FAMILIES, view) if view in _TRANSFORMS else None
            no_keys = transformed and hidden_keys is not None and words.isdisjoint(hidden_keys)
            view_words = frozenset[str]() if no_keys else None
            scored = score_phrases(decoded, ALL_FAMILIES, apply_discount=False, words=view_words)
            if scored.score <= 0.2:  # a persona request alone hides nothing
                continue
            if {h.family.code for h in scored.hits} <= visible_codes:
                continue
            score = combine([scored.score, HIDING_BONUS])
            if score > best_score:
                best_score = score
                reasons = (Reason(view, _VIEW_TEXT[view]), *scored.reasons())
        if _DECODE_AND_OBEY_GATE.may_match(visible, words) and _DECODE_AND_OBEY.search(visible):
            decode_score = combine([best_score, 0.55])
            if decode_score > best_score:
                best_score = decode_score
                reasons = (
                    Reason("decode_and_obey", "asks the model to decode text and obey it"),
                    *reasons,
                )
        if best_score < settings.prompt_min_score:
            return None
        return Signal(
            self.name,
            best_score,
            Severity.HIGH if best_score >= 0.9 else Severity.MEDIUM,
            reasons,
            title="Obfuscated prompt injection or jailbreak",
        )
