"""Find secrets and personal data in the text of a request, fast enough to sit in the proxy.

How one text is scanned:
1. build the scan view (normalize.py): JSON escapes, invisible characters and look-alikes
   undone, with a map back to the original offsets;
2. one regex pass over the lower-cased view finds every recognizer's literal prefixes
   ("sk-", "akia", "-----begin", "@", "password"...); each recognizer then runs only in
   windows around its own prefixes, and again with line breaks removed where a window has
   them; recognizers without prefixes (card and phone numbers) run over the whole text;
3. base64 blobs that decode to text are scanned the same way (blobs.py);
4. spaCy NER runs once per request over the sentences that may hold names (ner.py);
5. of overlapping findings a secret beats personal data, then the highest score (then the
   longest span) wins; allow-listed values and scores under min_score are dropped; spans map
   back to the original text.

A text scanned before (the earlier turns of a chat, an agent's system prompt) is not scanned
again: its findings come from the scanner's memo (memo.py). A text whose names were not all
searched (the NER budget ran out) is not memoized, so a later request searches it again.

A Scanner is built once per DLP configuration (it compiles every pattern and loads spaCy
on first use) and is safe to share between threads.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from presidio_analyzer import RecognizerResult

from warden.dlp import slices
from warden.dlp.blobs import decoded_blobs
from warden.dlp.entities import SECRET_ENTITIES, expand_entities
from warden.dlp.fingerprint import Fingerprinter, load_salt, preview
from warden.dlp.memo import DEFAULT_CAPACITY, ScanMemo, Scanned
from warden.dlp.normalize import ScanView, build_view, join_broken_lines, past_joined_pieces
from warden.dlp.prefixes import literal_trie_regex
from warden.dlp.recognizers import (
    NER_ENTITIES,
    PATTERN_RECOGNIZERS,
    CustomTermRecognizer,
    SpacyNerRecognizer,
    WardenRecognizer,
)
from warden.dlp.types import Finding, ScanResult
from warden.policy.model import DlpPolicy
from warden.schemas.normalized import JsonPath, NormalizedRequest

__all__ = ["ScanTimeout", "Scanner"]

# A window is widened to the end of the token it cuts, up to this far, so that a fixed-length
# pattern never sees a long token's first characters as a whole key.
_MAX_WIDEN = 4096
_JOIN_LEAD = 32
_TOKEN_END = re.compile(r"[\s\"'`<>()\[\]{},;]")
GLUED_MIN_SCORE = 0.9
# A character a key may be glued to without a word boundary in between.
_GLUE = re.compile(r"[A-Za-z0-9_-]")
_GENERIC_SECRETS = frozenset({"URL_CREDENTIALS", "GENERIC_SECRET"})
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class ScanTimeout(TimeoutError):
    """The scan ran past its deadline."""


@dataclass(frozen=True, slots=True)
class _Hit:
    """A finding in scan-view coordinates, still holding the value (never leaves this module)."""

    entity: str
    start: int
    end: int
    score: float
    recognizer: str
    value: str

    def __repr__(self) -> str:
        return f"<_Hit {self.entity} {self.start}:{self.end}>"


class Scanner:
    def __init__(
        self,
        settings: DlpPolicy,
        *,
        salt: bytes | None = None,
        memo_capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self.settings = settings
        self.memo = ScanMemo(memo_capacity)
        wanted = expand_entities(settings.entities)
        recognizers: list[WardenRecognizer] = [
            cls() for cls in PATTERN_RECOGNIZERS if cls.ENTITY in wanted
        ]
        if settings.deny_list:  # listing terms is itself the request to look for them
            recognizers.append(CustomTermRecognizer(settings.deny_list))
        self.entities = frozenset(r.ENTITY for r in recognizers)
        names = wanted & NER_ENTITIES
        self._ner = SpacyNerRecognizer(names) if settings.ner and names else None
        if self._ner is not None:
            self.entities |= names
        self._fingerprint = Fingerprinter(salt if salt is not None else load_salt(None))
        self._allow = frozenset(v.strip().casefold() for v in settings.allow_list if v.strip())

        self._everywhere = [r for r in recognizers if not r.PREFIXES]
        prefixes: dict[str, list[WardenRecognizer]] = defaultdict(list)
        for recognizer in recognizers:
            for prefix in recognizer.PREFIXES:
                prefixes[prefix.lower()].append(recognizer)
        # The pattern matches the longest literal at a position and then moves past it, so
        # each literal also dispatches to the recognizers of the literals inside it
        # ("api-key" holds "key", "password" holds "passw").
        self._dispatch: dict[str, list[tuple[int, WardenRecognizer]]] = {
            literal: [
                (literal.find(inner), r)
                for inner, rs in prefixes.items()
                if inner in literal
                for r in rs
            ]
            for literal in prefixes
        }
        self._prefix_re = literal_trie_regex(prefixes) if prefixes else None
        self._longest = max(map(len, prefixes), default=0)

    def __repr__(self) -> str:
        return f"<Scanner {len(self.entities)} entity types, ner={self._ner is not None}>"

    def warm_up(self) -> None:
        """Pay the first-call costs (model load, lazy tables) before the first request does."""
        self.scan_text("Warm up: Jane Doe from Acme in Paris, jane@example.com, sk-\u200b.")

    def scan(self, request: NormalizedRequest, *, deadline: float | None = None) -> ScanResult:
        """Every segment of the request. `deadline` is a time.monotonic() value."""
        segments = request.all_segments()
        return self.scan_texts(
            [(s.path, s.text) for s in segments],
            deadline=deadline,
            prose=[s.prose for s in segments],
            ignore=[s.ignore for s in segments],
        )

    def scan_text(self, text: str, path: JsonPath = ()) -> list[Finding]:
        return list(self.scan_texts([(path, text)]).findings)

    def scan_texts(
        self,
        texts: Sequence[tuple[JsonPath, str]],
        *,
        deadline: float | None = None,
        prose: Sequence[bool] | None = None,
        ignore: Sequence[frozenset[str]] | None = None,
    ) -> ScanResult:
        """`prose[i]` False: text i is not prose (a URL, a header), so NER skips it;
        `ignore[i]`: entity types not reported in text i."""
        started = time.perf_counter()
        prose = prose if prose is not None else [True] * len(texts)
        keys = [self.memo.key(text, prose=p) for (_, text), p in zip(texts, prose, strict=True)]
        outcomes: dict[bytes, Scanned] = {}
        fresh: dict[bytes, tuple[str, bool]] = {}  # to scan now, each once however often seen
        for key, (_, text), is_prose in zip(keys, texts, prose, strict=True):
            if key in outcomes or key in fresh:
                continue
            if (known := self.memo.get(key)) is not None:
                outcomes[key] = known
            else:
                fresh[key] = (text, is_prose)
        outcomes.update(self._scan_fresh(fresh, deadline))
        findings: list[Finding] = []
        notes: set[str] = set()
        for index, (key, (path, _)) in enumerate(zip(keys, texts, strict=True)):
            outcome = outcomes[key]
            skip = ignore[index] if ignore is not None else frozenset()
            findings += (
                replace(f, path=path) for f in outcome.findings if f.entity_type not in skip
            )
            notes |= outcome.notes
        return ScanResult(
            tuple(findings),
            scanned_chars=sum(len(text) for _, text in texts),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            notes=tuple(sorted(notes)),
        )

    def _scan_fresh(
        self, texts: dict[bytes, tuple[str, bool]], deadline: float | None
    ) -> dict[bytes, Scanned]:
        keys = list(texts)
        views = [build_view(texts[key][0]) for key in keys]
        notes: list[set[str]] = [set() for _ in keys]
        hits: list[list[_Hit]] = []
        for view, text_notes in zip(views, notes, strict=True):
            _check(deadline)
            found = self._pattern_hits(view.text)
            found += self._blob_hits(view.text, text_notes)
            hits.append(found)
        truncated: set[int] = set()
        prose = [i for i, key in enumerate(keys) if texts[key][1]]
        if self._ner is not None and prose:
            _check(deadline)
            per_text, cut = self._ner.analyze_many([views[i].text for i in prose])
            for index, results in zip(prose, per_text, strict=True):
                hits[index] += _hits(views[index].text, results)
            truncated = {prose[i] for i in cut}
        outcomes: dict[bytes, Scanned] = {}
        for index, (key, view, found) in enumerate(zip(keys, views, hits, strict=True)):
            if index in truncated:
                notes[index].add("ner_truncated")
            outcome = Scanned(tuple(self._findings((), view, found)), frozenset(notes[index]))
            outcomes[key] = outcome
            if index not in truncated:  # names not all searched: search again next time
                self.memo.put(key, outcome)
        return outcomes

    # --- stages ---------------------------------------------------------------------------

    def _pattern_hits(self, text: str) -> list[_Hit]:
        hits: list[_Hit] = []
        if self._prefix_re is not None:
            lowered = _lower(text)
            windows: dict[WardenRecognizer, list[tuple[int, int]]] = defaultdict(list)
            anchors: dict[WardenRecognizer, list[int]] = defaultdict(list)
            glued: list[tuple[WardenRecognizer, int]] = []
            for match in slices.finditer(self._prefix_re, lowered, overlap=self._longest):
                for offset, recognizer in self._dispatch[match.group()]:
                    at = match.start() + offset
                    if recognizer.ANCHORED:
                        anchors[recognizer].append(at)
                    else:
                        windows[recognizer].append(
                            (max(0, at - recognizer.BEFORE), at + recognizer.MAX_LENGTH)
                        )
                        if at and recognizer.BEFORE == 0 and _GLUE.match(text, at - 1):
                            glued.append((recognizer, at))
            for recognizer, positions in anchors.items():
                hits += _hits(text, recognizer.analyze_at(text, positions))
            for recognizer, spans in windows.items():
                for start, end in _merge(spans):
                    hits += self._window_hits(recognizer, text, start, _widen(text, end))
            for recognizer, at in glued:
                hits += _glued_hits(recognizer, text, at)
        for recognizer in self._everywhere:
            hits += _hits(text, recognizer.analyze_span(text, 0, len(text)))
            if recognizer.SPLIT_HEAD is not None and recognizer.JOIN_LINES:
                for head in recognizer.SPLIT_HEAD.finditer(text):
                    end = _widen(text, head.start() + recognizer.MAX_LENGTH)
                    hits += self._window_hits(recognizer, text, head.start(), end)
        return hits

    def _window_hits(
        self, recognizer: WardenRecognizer, text: str, start: int, end: int
    ) -> list[_Hit]:
        hits = _hits(text, recognizer.analyze_span(text, start, end))
        if recognizer.JOIN_LINES:
            end = past_joined_pieces(text, end)
            lead = max(0, start - _JOIN_LEAD)  # to see the `.join([` a list of pieces is in
            joined, joins = join_broken_lines(text[lead:end])
            if joins:
                for r in recognizer.analyze_span(joined, 0, len(joined)):
                    s, e = joins.span(r.start, r.end)
                    if e - s != r.end - r.start:  # it spans a join; else the plain pass found it
                        hits.append(_hit(r, lead + s, lead + e, joined[r.start : r.end]))
        return hits

    def _blob_hits(self, text: str, notes: set[str]) -> list[_Hit]:
        hits: list[_Hit] = []
        blobs, capped = decoded_blobs(text)
        if capped:
            notes.add("base64_capped")
        for blob in blobs:
            inner = build_view(blob.text).text
            for hit in self._pattern_hits(inner):
                hits.append(
                    _Hit(
                        hit.entity,
                        blob.start,
                        blob.end,
                        hit.score,
                        f"base64:{hit.recognizer}",
                        hit.value,
                    )
                )
        return hits

    def _findings(self, path: JsonPath, view: ScanView, hits: list[_Hit]) -> list[Finding]:
        floor = self.settings.min_score
        kept: list[_Hit] = []
        # Secrets first, then the highest score, then the longest span: a specific key format
        # beats the generic high-entropy match of the same characters. A secret outranks
        # personal data whatever their scores: "token@github.com" in a URL also reads as an
        # e-mail address (a longer span, a validated domain), but what leaves must be the
        # secret's mask, never a placeholder the answer gets back. A loser is dropped whole,
        # as between any two overlapping findings, so the secret's type covers the overlap.
        for hit in sorted(hits, key=_rank):
            if hit.score < floor or hit.value.strip().casefold() in self._allow:
                continue
            if any(hit.start < k.end and k.start < hit.end for k in kept):
                continue
            kept.append(hit)
        kept.sort(key=lambda h: h.start)
        findings = []
        for hit in kept:
            start, end = view.map.span(hit.start, hit.end)
            findings.append(
                Finding(
                    entity_type=hit.entity,
                    path=path,
                    start=start,
                    end=end,
                    score=hit.score,
                    value_hash=self._fingerprint.hash(hit.value),
                    preview=preview(hit.value),
                    recognizer=hit.recognizer,
                )
            )
        return findings


def _rank(hit: _Hit) -> tuple[bool, float, bool, int, int]:
    # At the same score and span a named format (GITLAB_TOKEN) beats the generic types that
    # also match it (a token in a URL's user part, a value after "token=").
    return (
        hit.entity not in SECRET_ENTITIES,
        -hit.score,
        hit.entity in _GENERIC_SECRETS,
        hit.start - hit.end,
        hit.start,
    )


def _lower(text: str) -> str:
    """Lower-cased with the same length (prefix offsets are offsets into `text`), in slices."""
    out = []
    for pos in range(0, len(text), slices.SLICE):
        piece = text[pos : pos + slices.SLICE]
        lowered = piece.lower()
        # "İ" lower-cases to two characters; only ASCII matters for the prefixes anyway.
        out.append(lowered if len(lowered) == len(piece) else piece.translate(_ASCII_LOWER))
    return "".join(out)


def _check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ScanTimeout("DLP scan ran past its time budget")


def _hit(result: RecognizerResult, start: int, end: int, value: str) -> _Hit:
    name = (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")
    return _Hit(result.entity_type, start, end, result.score, name, value)


def _hits(text: str, results: list[RecognizerResult]) -> list[_Hit]:
    return [_hit(r, r.start, r.end, text[r.start : r.end]) for r in results]


def _glued_hits(recognizer: WardenRecognizer, text: str, at: int) -> list[_Hit]:
    """A key glued to what comes before it ("x" + key, "20" + key from a %20): recognizers
    want a word boundary before a key, so look again from the key's own first character.
    Only matches the format proves (a checksum, a marker: score >= GLUED_MIN_SCORE) count:
    random tokens (session cookies, encrypted blobs) hold "sk-" and the like by chance."""
    piece = text[at : _widen(text, at + recognizer.MAX_LENGTH)]
    return [
        _hit(r, at + r.start, at + r.end, piece[r.start : r.end])
        for r in recognizer.analyze_span(piece, 0, len(piece))
        if r.start == 0 and r.score >= GLUED_MIN_SCORE
    ]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _widen(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    stop = _TOKEN_END.search(text, end, end + _MAX_WIDEN)
    return stop.start() if stop else min(len(text), end + _MAX_WIDEN)
