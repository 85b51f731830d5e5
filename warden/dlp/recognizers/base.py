"""The Presidio pattern recognizer every Warden recognizer builds on.

Presidio's own PatternRecognizer runs each pattern over the whole text with the `regex`
module and IGNORECASE. Warden's recognizers keep its shape (PATTERNS and CONTEXT as class
constants, `validate_result` raising a score, `invalidate_result` pruning known fakes) and add
what a fast scan needs:

- PREFIXES: lower-case literals that every match contains near its start. The scanner finds
  all prefixes of all recognizers in one pass and runs a recognizer only in windows around
  its prefixes. A recognizer without prefixes runs over the whole text (patterns that start
  with a literal are fast in `re` anyway).
- ANCHORED recognizers' matches start exactly at a prefix, so the scanner tries them only
  there (`analyze_at`) instead of searching a window: the difference between 1 ms and
  10 ms per megabyte for words as common as "key" and "token".
- a named group "value" narrows the reported span to the secret itself (the password of a
  URL, not the whole URL).
- case-sensitive stdlib `re` patterns, because key formats are case-sensitive.
- placeholders (sk_live_xxxx..., AKIAXXXX..., YOUR_API_KEY) are never secret findings, for
  every secret recognizer alike (placeholders.py).

Class names must differ from Presidio's own recognizers (EmailRecognizer, PhoneRecognizer...):
Presidio's registry looks recognizers up by class name among all subclasses, so a Warden
class with the same name would replace Presidio's in any AnalyzerEngine in the process.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult

from warden.dlp import slices
from warden.dlp.entities import SECRET_ENTITIES
from warden.dlp.placeholders import is_placeholder

__all__ = ["Pattern", "WardenRecognizer"]

# Placeholders are judged only in a vendor's key format, where the prefix is the vendor's and
# the rest must be random. A password or a generic value has no fixed part: "Qwerty12.Asdf"
# before a run of x's, or "my.Dragon99.Monkey12", is a real password that looks like a
# template (entropy.py and url_credentials.py keep their own, narrower placeholder rules).
_VENDOR_FORMATS = SECRET_ENTITIES - {
    "GENERIC_SECRET",
    "URL_CREDENTIALS",
    "AZURE_CONNECTION_STRING",
    "JWT",
    "PRIVATE_KEY",
}


class WardenRecognizer(PatternRecognizer):
    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[Pattern, ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    PREFIXES: ClassVar[tuple[str, ...]] = ()
    # How far before its prefix a match may start, and how long a match may be.
    BEFORE: ClassVar[int] = 0
    MAX_LENGTH: ClassVar[int] = 256
    ANCHORED: ClassVar[bool] = False
    # Also look for the value with line breaks inside it removed (see normalize.py).
    JOIN_LINES: ClassVar[bool] = True
    # A recognizer without prefixes runs over the whole text, where split keys are not
    # joined: where the first piece of a split key may start ('SK0a1b' + ...), so that the
    # scanner joins the pieces there.
    SPLIT_HEAD: ClassVar[re.Pattern[str] | None] = None
    FLAGS: ClassVar[int] = 0
    # The score of a match validate_result confirms (a checksum, a parsed phone number).
    VALID_SCORE: ClassVar[float] = 1.0
    # Presidio's defaults for context: a context word close before the match adds 0.35.
    CONTEXT_BOOST: ClassVar[float] = 0.35
    CONTEXT_CHARS: ClassVar[int] = 64

    def __init__(self, patterns: tuple[Pattern, ...] | None = None) -> None:
        chosen = list(patterns if patterns is not None else self.PATTERNS)
        super().__init__(
            supported_entity=self.ENTITY,
            name=type(self).__name__,
            patterns=chosen,
            context=list(self.CONTEXT),
            global_regex_flags=self.FLAGS,
        )
        self._compiled = [(p, re.compile(p.regex, self.FLAGS)) for p in chosen]

    def analyze(  # type: ignore[override]
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: object = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's entry point: the whole text."""
        if self.ENTITY not in entities:
            return []
        return self.analyze_span(text, 0, len(text))

    def analyze_span(self, text: str, start: int, end: int) -> list[RecognizerResult]:
        """Matches that start within text[start:end]; lookarounds see the text around it."""
        results: list[RecognizerResult] = []
        for pattern, compiled in self._compiled:
            narrowed = "value" in compiled.groupindex
            for match in slices.finditer(
                compiled, text, overlap=self.MAX_LENGTH, start=start, end=end
            ):
                s, e = match.span("value") if narrowed else match.span()
                if s < 0 or s == e:
                    continue
                refined = self.refine(text, s, e)
                if refined is None:
                    continue
                s, e = refined
                result = self._score(text, s, e, pattern.score)
                if result is not None:
                    results.append(result)
        return results

    def analyze_at(self, text: str, positions: list[int]) -> list[RecognizerResult]:
        """Matches that start exactly at these positions (for ANCHORED recognizers)."""
        results: list[RecognizerResult] = []
        size, longest = len(text), self.MAX_LENGTH
        for pattern, compiled in self._compiled:
            narrowed = "value" in compiled.groupindex
            for pos in positions:
                match = compiled.match(text, pos, min(size, pos + longest))
                if match is None:
                    continue
                s, e = match.span("value") if narrowed else match.span()
                refined = self.refine(text, s, e) if s < e else None
                if refined is not None:
                    result = self._score(text, *refined, pattern.score)
                    if result is not None:
                        results.append(result)
        return results

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Adjust a match's span (e.g. an IBAN to its country's length); None drops it."""
        return start, end

    def _score(self, text: str, start: int, end: int, base: float) -> RecognizerResult | None:
        value = text[start:end]
        if self.ENTITY in _VENDOR_FORMATS and is_placeholder(value):
            return None
        valid = self.validate_result(value)
        if valid is False or self.invalidate_result(value):
            return None
        score = self.VALID_SCORE if valid else base
        if score < self.MAX_SCORE and self.CONTEXT and self._has_context(text, start):
            score = min(self.MAX_SCORE, score + self.CONTEXT_BOOST)
        return RecognizerResult(
            self.ENTITY,
            start,
            end,
            score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )

    def _has_context(self, text: str, start: int) -> bool:
        before = text[max(0, start - self.CONTEXT_CHARS) : start].lower()
        return any(word in before for word in self.CONTEXT)
