"""Names of people, places and organisations, from spaCy's statistical entity recognizer.

Only the `ner` pipe of en_core_web_sm runs (see offline.py). Two limits keep it fast, both
visible in the recall the test corpus measures:
- only sentences that contain a capitalised word (Title case, not ALL CAPS such as a log
  level) other than a common English word are sent to the model, with neighbouring
  sentences kept together: the model's features lean on capitalisation, and a sentence
  without such a word yields no names in practice;
- at most MAX_CHARS characters per scan go to the model (about 150 ms on one core); text
  past that is not searched for names, and the scan result says so ("ner_truncated").
  Secrets, emails, numbers and the deny-list are still searched everywhere.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from presidio_analyzer import EntityRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from warden.dlp.offline import load_spacy
from warden.dlp.recognizers.given_names import plausible_person

__all__ = ["NER_ENTITIES", "SpacyNerRecognizer"]

_LABELS = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
}
NER_ENTITIES = frozenset(_LABELS.values())

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*")
_CAPITALISED = re.compile(r"(?<![\w@./-])[A-Z][a-z][a-zA-Z'-]*")
# An entity made of these is markup, code, an address or an id, not a name.
_NOT_A_NAME = re.compile(r"[@/\\=_{}<>\[\]|#$%^*~`\d]|^\W")
# Words the small model takes for names at the start of prompts and in field labels.
_NOT_NAMES = frozenset(
    {"summarise", "summarize", "translate", "draft", "write", "explain", "rewrite", "fix",
     "check", "review", "list", "generate", "create", "convert", "format", "analyse", "analyze",
     "describe", "compare", "please", "help", "email", "phone", "name", "notes", "note",
     "action", "subject", "thanks", "regards", "hi", "hello", "dear", "todo", "token",
     "password", "secret", "key", "api", "ssn", "iban", "url", "json", "yaml", "csv", "sql"}
)  # fmt: skip


class SpacyNerRecognizer(EntityRecognizer):
    SCORE = 0.85
    MAX_CHARS = 20_000
    CHUNK_CHARS = 1_500

    def __init__(self, entities: frozenset[str] = NER_ENTITIES) -> None:
        self._lock = threading.Lock()
        super().__init__(
            supported_entities=sorted(entities & NER_ENTITIES),
            name="SpacyNerRecognizer",
            supported_language="en",
        )

    def load(self) -> None:
        self._nlp: Any = load_spacy()
        # The entity recognizer's own pipe, fed tokenized docs: Language.pipe adds about
        # 0.8 ms of bookkeeping per call, a third of a short prompt's whole budget.
        self._ner: Any = self._nlp.get_pipe("ner")

    def analyze(  # type: ignore[override]
        self, text: str, entities: list[str], nlp_artifacts: object = None
    ) -> list[RecognizerResult]:
        results, _ = self.analyze_many([text])
        return [r for r in results[0] if r.entity_type in entities]

    def analyze_many(self, texts: list[str]) -> tuple[list[list[RecognizerResult]], set[int]]:
        """Entities per text, and which texts the MAX_CHARS budget left partly unsearched."""
        chunks: list[tuple[int, int, int]] = []  # (text index, start, end)
        budget, truncated = self.MAX_CHARS, set[int]()
        for index, text in enumerate(texts):
            for start, end in _candidate_chunks(text, self.CHUNK_CHARS):
                if budget < end - start:
                    truncated.add(index)  # this chunk is cut short or left out
                if budget <= 0:
                    break
                end = min(end, start + budget)
                chunks.append((index, start, end))
                budget -= end - start
        results: list[list[RecognizerResult]] = [[] for _ in texts]
        if not chunks:
            return results, truncated
        wanted = set(self.supported_entities)
        with self._lock, self._nlp.memory_zone():
            # memory_zone frees the strings each document adds to the vocabulary: without it a
            # long-running proxy's vocabulary grows with every new word it ever sees.
            made = (self._nlp.make_doc(texts[i][s:e]) for i, s, e in chunks)
            docs = self._ner.pipe(made, batch_size=16)
            for (index, offset, _), doc in zip(chunks, docs, strict=True):
                for ent in doc.ents:
                    entity = _LABELS.get(ent.label_)
                    if entity not in wanted or not _plausible(texts[index], offset, ent):
                        continue
                    results[index].append(
                        RecognizerResult(
                            entity,
                            offset + ent.start_char,
                            offset + ent.end_char,
                            self.SCORE,
                            recognition_metadata={
                                RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                            },
                        )
                    )
        return results, truncated


def _plausible(text: str, offset: int, ent: Any) -> bool:
    name: str = ent.text
    if len(name) < 2 or name.islower() or _NOT_A_NAME.search(name):
        return False
    if name.lower() in _NOT_NAMES:
        return False
    if ent.label_ == "PERSON" and " " in name and not plausible_person(name.split()):
        return False  # "Mark Stale" (Issues), "Admin User", "Jenkins Pipeline": not people
    if " " not in name and text[offset + ent.end_char : offset + ent.end_char + 1] in (":", "="):
        return False  # a one-word field label: "Email: ...", "TOKEN=..." (not "Ana Lima: hi")
    # A short all-capitals word is an acronym (CI, SSN, TOKEN) far more often than a company.
    return not (ent.label_ == "ORG" and name.isupper() and " " not in name and len(name) <= 5)


def _has_candidate(sentence: str) -> bool:
    return any(w.lower() not in STOP_WORDS for w in _CAPITALISED.findall(sentence))


def _candidate_chunks(text: str, limit: int) -> list[tuple[int, int]]:
    """Runs of consecutive sentences that may hold a name, each at most `limit` characters."""
    chunks: list[tuple[int, int]] = []
    start = 0
    current: tuple[int, int] | None = None
    for boundary in (*_SENTENCE_END.finditer(text), None):
        end = boundary.start() if boundary else len(text)
        if end > start and _has_candidate(text[start:end]):
            if current is not None and end - current[0] <= limit:
                current = (current[0], end)
            else:
                if current is not None:
                    chunks.append(current)
                while end - start > limit:  # one very long "sentence": cut it at spaces
                    cut = text.rfind(" ", start + limit // 2, start + limit)
                    cut = cut if cut > start else start + limit
                    chunks.append((start, cut))
                    start = cut
                current = (start, end)
        elif current is not None:
            chunks.append(current)
            current = None
        start = boundary.end() if boundary else len(text)
    if current is not None:
        chunks.append(current)
    return chunks
