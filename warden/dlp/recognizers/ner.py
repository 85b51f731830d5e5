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

import builtins
import keyword
import re
import threading
from functools import cache
from typing import Any

from presidio_analyzer import EntityRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS
from thinc.api import NumpyOps, get_current_ops, set_current_ops

from warden.dlp import blas
from warden.dlp.offline import load_spacy
from warden.dlp.recognizers.given_names import is_common_word, is_given_name, plausible_person

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
        super().__init__(
            supported_entities=sorted(entities & NER_ENTITIES),
            name="SpacyNerRecognizer",
            supported_language="en",
        )

    def load(self) -> None:
        self._model = _shared_model()

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
        found = self._model.entities([texts[i][s:e] for i, s, e in chunks])
        for (index, offset, _), ents in zip(chunks, found, strict=True):
            for label, start, end in ents:
                entity = _LABELS.get(label)
                if entity not in wanted or not _plausible(texts[index], offset, label, start, end):
                    continue
                results[index].append(
                    RecognizerResult(
                        entity,
                        offset + start,
                        offset + end,
                        self.SCORE,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return results, truncated


# (label, start, end) of each entity the model found in one text, offsets into that text.
type _Entities = list[tuple[str, int, int]]


class _Batch:
    """The texts of one caller, waiting for the model; `done` is set once they have run."""

    __slots__ = ("done", "error", "found", "texts")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.found: list[_Entities] = []
        self.error: BaseException | None = None
        self.done = False


class _SharedModel:
    """The process's one entity recognizer, run for every scanner and thread in turn.

    Concurrent scans (one per request in flight) do not each run the model on their own
    text: a caller that finds the model busy queues its texts, and whoever runs the model
    next takes every queued caller's texts into one batch (flat combining). One call for
    several texts costs about two thirds of one call per text (the model's per-call and
    per-step work is shared), and nobody waits longer than one batch before their own runs.
    """

    def __init__(self) -> None:
        self._nlp: Any = load_spacy()
        # The entity recognizer's own pipe, fed tokenized docs: Language.pipe adds about
        # 0.8 ms of bookkeeping per call, a third of a short prompt's whole budget.
        self._ner: Any = self._nlp.get_pipe("ner")
        self._ops = get_current_ops()
        if blas.one_thread():  # its products are 3x as fast as BLIS's here (blas.py)
            self._ops = NumpyOps(use_blis=False)
            for layer in self._ner.model.walk():
                layer.ops = self._ops
        # The strings the model was shipped with: words from these get a lasting entry in
        # the vocabulary (below); no other word does, so the vocabulary stays bounded.
        self._known = frozenset(self._nlp.vocab.strings)
        self._lasting: set[str] = set()
        self._run_lock = threading.Lock()  # one run of the model at a time
        self._queue_lock = threading.Lock()
        self._queue: list[_Batch] = []

    def entities(self, texts: list[str]) -> list[_Entities]:
        batch = _Batch(texts)
        with self._queue_lock:
            self._queue.append(batch)
        with self._run_lock:
            if not batch.done:  # else an earlier holder of the lock ran it with its own
                with self._queue_lock:
                    taken, self._queue = self._queue, []
                self._run(taken)
        if batch.error is not None:
            raise batch.error
        return batch.found

    def _run(self, batches: list[_Batch]) -> None:
        try:
            # asyncio.to_thread runs each call in a copy of the event loop's context, where
            # thinc has no backend set: it would then look one up anew on every call
            # (failing imports of optional backends, an entry-point scan): 0.3 ms a scan.
            set_current_ops(self._ops)
            texts = [text for batch in batches for text in batch.texts]
            self._keep_known_words(texts)
            found: list[_Entities] = []
            with self._nlp.memory_zone():
                # memory_zone frees the strings each document adds to the vocabulary: without
                # it a long-running proxy's vocabulary grows with every new word it ever sees.
                docs = self._ner.pipe((self._nlp.make_doc(t) for t in texts), batch_size=64)
                for doc in docs:
                    found.append([(e.label_, e.start_char, e.end_char) for e in doc.ents])
            for batch in batches:
                batch.found, found = found[: len(batch.texts)], found[len(batch.texts) :]
        except BaseException as e:  # each waiting caller raises it in its own thread
            for batch in batches:
                batch.error = e
        finally:
            for batch in batches:
                batch.done = True

    def _keep_known_words(self, texts: list[str]) -> None:
        """Tokenize the model's own words outside the memory zone, once each.

        Inside a memory zone spaCy neither keeps a word's vocabulary entry nor caches how a
        word splits, so every word was rebuilt on every call (its shape, norm, prefix and
        suffix, in Python): 1.5 ms of a 390-character prompt's 6.6 ms. A word the model
        knows (its shipped strings, ~85,000) is tokenized once outside the zone, which keeps
        its entry and its split (spaCy's tokenizer caches at most 10,000 splits): at most
        ~11 MB for every such word, while other words stay transient. The documents and the
        entities are the same either way; only where the entries live differs.
        """
        if len(self._lasting) >= _MAX_LASTING:
            return
        for text in texts:
            for word in text.split():
                if word in self._lasting or _core(word) not in self._known:
                    continue
                self._lasting.add(word)
                self._nlp.make_doc(word)


# Words kept outside the memory zone, with their punctuation ("Lisbon," "(Lisbon)"): a
# bound on the set that remembers them, far above the ~85,000 words they come from.
_MAX_LASTING = 200_000
_PUNCTUATION = "\"'()[]{}<>.,;:!?*"


def _core(word: str) -> str:
    return word.strip(_PUNCTUATION)


_model_lock = threading.Lock()


@cache
def _shared_model() -> _SharedModel:
    with _model_lock:
        return _SharedModel()


def _plausible(text: str, offset: int, label: str, start: int, end: int) -> bool:
    name = text[offset + start : offset + end]
    if len(name) < 2 or name.islower() or _NOT_A_NAME.search(name):
        return False
    if name.lower() in _NOT_NAMES:
        return False
    if label == "PERSON" and " " in name and not plausible_person(name.split()):
        return False  # "Mark Stale" (Issues), "Admin User", "Jenkins Pipeline": not people
    if label == "PERSON" and " " not in name and not _single_name(name):
        return False  # "Warden", "Scanner", "False", "WardenRecognizer" in pasted code
    if " " not in name and text[offset + end : offset + end + 1] in (":", "="):
        return False  # a one-word field label: "Email: ...", "TOKEN=..." (not "Ana Lima: hi")
    # A short all-capitals word is an acronym (CI, SSN, TOKEN) far more often than a company.
    return not (label == "ORG" and name.isupper() and " " not in name and len(name) <= 5)


# Python's keywords and builtins (False, None, Exception, ...): code the model reads as prose.
_CODE_WORDS = frozenset(keyword.kwlist) | frozenset(w for w in dir(builtins) if w[:1].isupper())


def _single_name(word: str) -> bool:
    """One word the model calls a person: a given name, or a word that is neither a common
    or technical word nor shaped like an identifier (an inner capital, digits, _)."""
    if is_given_name(word, strict=False):
        return True
    if is_common_word(word) or not word.isalpha() or word in _CODE_WORDS:
        return False
    return not any(c.isupper() for c in word[1:]) and not word.endswith(("Error", "Exception"))


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
