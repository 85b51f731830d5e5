"""Names where the statistical model fails: in records, under field labels, in lower case
and ALL CAPS.

spaCy's small model leans on capitalisation and sentence context, so it misses names in
`name - email - phone - city` lists, CSV rows and tables (no sentence), in `NAME: JOHN SMITH`
forms and in "send it to john smith", and types many of the rest as organisations. What
says "person" there instead:

- the record: a line holding an e-mail address or a phone number is someone's record, and
  its first cell of two to four words is their name (RecordNameRecognizer); a header row
  (`full_name,email,phone,city`, `| Customer | E-mail |`) names the columns below it;
- the e-mail's local part: "john.smith@" corroborates "John Smith" (or "john smith") on
  the same line;
- a field label: `name`, `customer`, `employee`, `Ansprechpartner`, `Nom`... followed by
  `:` or `=` (NameFieldRecognizer);
- a given name: a word from the given-name list (given_names.py) followed by a surname,
  after a word that introduces a person ("to", "cc", "ask", "with") in any case, or
  anywhere in Title case or ALL CAPS (GivenNameRecognizer).

Scores above NER's 0.85 where the evidence is the record or the label, so that a name the
model typed ORGANIZATION is reported as PERSON (the scanner keeps the higher score).
Identifiers never qualify: a name is letters, apostrophes and hyphens in words separated by
single spaces, so `john_smith`, `johnSmith`, `user.name` and `JOHN_SMITH` stay code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import RecognizerResult

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.given_names import (
    NOT_SURNAMES,
    PARTICLES,
    fold,
    is_common_word,
    is_given_name,
    plausible_person,
)

__all__ = [
    "AllCapsNameRecognizer",
    "GivenNameRecognizer",
    "NameFieldRecognizer",
    "NamePartFieldRecognizer",
    "RecordNameRecognizer",
    "SignatureRecognizer",
]

_LETTERS = r"[^\W\d_]"
_WORD = rf"{_LETTERS}+(?:['\u2019-]{_LETTERS}+)*"
# A run of words on one line, single spaces or tabs apart.
_WORDS = re.compile(rf"{_WORD}(?:[ \t]{_WORD})*")
_EMAIL = re.compile(
    r"(?<![\w.%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,24}"
)
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{6,18}\d(?!\w)")
_CELL = re.compile(r"[^\t|;,]+")
_RULE = re.compile(r"[\s|:+=-]*")
# A line that may be a row: it has a separator or a digit.
_MAYBE_ROW = re.compile(r"[\t|;,\d]| [-\u2013\u2014] ")
_DASH_SPLIT = re.compile(r"[ \t]+[-\u2013\u2014/][ \t]+")
_LOCAL_SPLIT = re.compile(r"[._%+\-\d]+")
# Words that make a cell a company, a place or a heading rather than a person.
_NOT_PERSON_WORDS = frozenset(
    [
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "ag",
        "kg",
        "kgaa",
        "sa",
        "sarl",
        "bv",
        "nv",
        "plc",
        "corp",
        "co",
        "company",
        "group",
        "bank",
        "university",
        "college",
        "school",
        "hospital",
        "street",
        "road",
        "avenue",
        "city",
        "county",
        "state",
        "department",
        "team",
        "support",
        "sales",
        "billing",
        "finance",
        "account",
        "accounts",
        "office",
        "services",
        "service",
        "total",
        "name",
        "email",
        "phone",
        "city",
        "address",
        "status",
        "notes",
        "n/a",
        "none",
        "null",
        "true",
        "false",
        "yes",
        "no",
        "active",
        "inactive",
        "pending",
    ]
)
_PERSON_COLUMNS = frozenset(
    {"name", "full name", "fullname", "customer", "customer name", "contact", "contact name",
     "contact person", "employee", "employee name", "client", "client name", "owner",
     "assignee", "recipient", "patient", "patient name", "applicant", "candidate", "person",
     "account holder", "cardholder", "ansprechpartner", "kontaktperson", "kunde",
     "mitarbeiter", "nom", "nom complet", "nombre", "naam", "contactpersoon", "nome"}
)  # fmt: skip
# Columns that hold one part of a name: a single word is enough there.
_PART_COLUMNS = frozenset(
    {"first name", "firstname", "given name", "last name", "lastname", "surname", "vorname",
     "nachname", "prénom", "prenom", "apellido", "achternaam", "voornaam"}
)  # fmt: skip
_CITY_COLUMNS = frozenset({"city", "town", "ort", "stadt", "ville", "plaats", "woonplaats",
                           "ciudad", "città"})  # fmt: skip
_ORG_COLUMNS = frozenset({"company", "organisation", "organization", "employer", "firma",
                          "unternehmen", "société", "bedrijf", "empresa"})  # fmt: skip
_OTHER_COLUMNS = frozenset(
    {"email", "e-mail", "mail", "phone", "telephone", "tel", "mobile", "country", "address",
     "invoice", "amount", "id", "department", "role", "title", "notes", "status", "date",
     "zip", "postcode", "state", "street", "age", "dob", "birthday"}
)  # fmt: skip


def _column_key(cell: str) -> str:
    return re.sub(r"[_\-]+", " ", cell.strip().strip("\"'*`").casefold())


def _column_kind(cell: str) -> str | None:
    key = _column_key(cell)
    if key in _CITY_COLUMNS:
        return "LOCATION"
    if key in _ORG_COLUMNS:
        return "ORGANIZATION"
    if key in _PART_COLUMNS:
        return "PERSON_PART"
    if key in _PERSON_COLUMNS:
        return "PERSON"
    return None


def _casing(words: list[str]) -> str | None:
    """ "title", "upper" or "lower" when every word (particles aside) is written alike."""
    kinds = set()
    for word in words:
        if word.casefold() in PARTICLES and not word.isupper():
            continue
        if word.isupper():
            kinds.add("upper")
        elif word.islower():
            kinds.add("lower")
        elif word[0].isupper() and word[1:].replace("-", "").replace("'", "")[:1].islower():
            kinds.add("title")
        else:
            return None  # camelCase, McDonald-like mixes are left to NER
    return kinds.pop() if len(kinds) == 1 else None


def _name_shape(text: str, min_words: int = 2) -> bool:
    words = text.split()
    if not min_words <= len(words) <= 5 or _casing(words) is None:
        return False
    core = [w for w in words if w.casefold() not in PARTICLES]
    return bool(core) and not any(w.casefold() in _NOT_PERSON_WORDS for w in core)


def _local_tokens(local: str) -> set[str]:
    return {t for t in _LOCAL_SPLIT.split(local.casefold()) if len(t) >= 2}


def _corroborated(words: list[str], local: str) -> bool:
    """The e-mail's local part spells the name: john.smith, jsmith, smith.j, john_sm."""
    core = [w for w in words if w.casefold() not in PARTICLES]
    if len(core) < 2:
        return False
    # Mail systems drop the letters they cannot write: "Hänninen" as "hnninen" or "hanninen".
    dropped = [re.sub(r"[^a-z]", "", w.casefold()) for w in core]
    return _spells([fold(w) for w in core], local) or (all(dropped) and _spells(dropped, local))


def _spells(folded: list[str], local: str) -> bool:
    first, last = folded[0], folded[-1]
    tokens = _local_tokens(local)

    def spelled(word: str) -> bool:
        return any(t == word or (len(t) >= 2 and word.startswith(t)) for t in tokens)

    if (first in tokens and spelled(last)) or (last in tokens and spelled(first)):
        return True
    flat = re.sub(r"[^a-z]", "", local.casefold())
    return len(last) >= 3 and flat in {first[0] + last, last + first[0], first + last, last + first}


class _CustomRecognizer(WardenRecognizer):
    """Recognizers whose evidence is not one regex: they override analyze_span."""

    PATTERNS = (Pattern("unused", r"(?!)", 0.0),)

    def _result(self, entity: str, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity,
            start,
            end,
            score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


class RecordNameRecognizer(_CustomRecognizer):
    """Names (and, under a header, cities and companies) in rows that hold an e-mail or a
    phone number, and names an e-mail's local part spells on the same line."""

    ENTITY = "PERSON"
    SCORE = 0.9  # above NER's 0.85: the record says person where the model said company

    def analyze(  # type: ignore[override]
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: object = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        return self.analyze_span(text, 0, len(text))

    def analyze_span(self, text: str, start: int, end: int) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        header: tuple[int, dict[int, str]] | None = None
        pos = start
        while pos < end:
            stop = text.find("\n", pos, end)
            stop = end if stop < 0 else stop
            offset, line = pos, text[pos:stop]
            pos = stop + 1
            if not line.strip():
                header = None  # a blank line ends a table
                continue
            if _RULE.fullmatch(line):
                continue  # a markdown or ASCII table rule
            has_email = "@" in line
            if not has_email and header is None and not _MAYBE_ROW.search(line):
                continue  # no separator, no digits: prose, left to NER and the cues
            cells = list(_cells(line))
            if (named := _header(line, cells)) is not None:
                header = named
                continue
            emails = list(_EMAIL.finditer(line)) if has_email else []
            record = bool(emails) or _PHONE.search(line) is not None
            columns = header[1] if header is not None and header[0] == len(cells) else {}
            if record or columns:
                results += self._line(line, offset, cells, columns, emails, record)
        return results

    def _line(
        self,
        line: str,
        offset: int,
        cells: list[tuple[int, int]],
        columns: dict[int, str],
        emails: list[re.Match[str]],
        record: bool,
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        locals_ = [m.group(1) for m in emails]
        for index, (s, e) in enumerate(cells):
            value = line[s:e]
            if not value or any(c.isdigit() for c in value) or "@" in value:
                continue
            kind = columns.get(index)
            if kind == "PERSON_PART":
                if _name_shape(value, 1) and not any(
                    is_common_word(w, surnames_count=False) for w in value.split()
                ):
                    results.append(self._result("PERSON", offset + s, offset + e, self.SCORE))
                continue
            if kind == "PERSON":
                if _name_shape(value) and self._confirmed(value.split(), locals_):
                    results.append(self._result("PERSON", offset + s, offset + e, self.SCORE))
                continue
            if kind is not None:  # a city or company column
                if _casing(value.split()) is not None and len(value.split()) <= 5:
                    results.append(self._result(kind, offset + s, offset + e, 0.8))
                continue
            if record and _name_shape(value) and self._confirmed(value.split(), locals_):
                results.append(self._result("PERSON", offset + s, offset + e, self.SCORE))
        for email in emails:
            if (found := _display_name(line, email)) is not None:
                results.append(self._result("PERSON", offset + found[0], offset + found[1], 0.9))
        if locals_ and not any(r.entity_type == "PERSON" for r in results):
            results += self._spelled(line, offset, locals_)
        return results

    @staticmethod
    def _confirmed(words: list[str], locals_: list[str]) -> bool:
        """A cell is a name when it starts with a given name or an e-mail on the line spells
        it, and no word in it is a common or technical one: not `Admin User`, `Apache
        Kafka`, `Jenkins Pipeline`, `Grace Hopper Bot`, `Test User` (fixtures, services)."""
        if not plausible_person(words, lower=_casing(words) == "lower"):
            return False
        return is_given_name(words[0], strict=False) or any(
            _corroborated(words, local) for local in locals_
        )

    def _spelled(self, line: str, offset: int, locals_: list[str]) -> list[RecognizerResult]:
        """Prose around an e-mail: "write to Priya Sharma (priya.sharma@...)"."""
        results = []
        for run in _WORDS.finditer(line):
            for words in _sub_runs(run.group(), run.start()):
                best = None
                for i in range(len(words)):
                    for j in range(min(len(words), i + 4), i + 1, -1):
                        texts = [line[a:b] for a, b in words[i:j]]
                        if any(_corroborated(texts, lp) for lp in locals_):
                            best = (words[i][0], words[j - 1][1])
                            break
                    if best:
                        break
                if best:
                    results.append(
                        self._result("PERSON", offset + best[0], offset + best[1], self.SCORE)
                    )
        return results


# `Name <e-mail>` and `"Name" <e-mail>`: git's Author and Co-authored-by, mail headers, lists.
_BEFORE_ANGLE = re.compile(rf"(?:{_WORD}[ \t]+){{0,5}}{_WORD}[\"']?[ \t]*<$")
_QUOTED_REVERSED = re.compile(rf"[\"']({_WORD}),[ \t]*({_WORD}(?:[ \t]+{_WORD})?)[\"'][ \t]*<$")


def _display_name(line: str, email: re.Match[str]) -> tuple[int, int] | None:
    """The display name before an e-mail in angle brackets, as (start, end) in the line: a
    person unless it is a team, a role or a product (`Build Bot`, `GitHub`, `Security Team`,
    by the common-word rule). A single word counts only if it is a given name."""
    at = email.start()
    if not at or line[at - 1] != "<" or not line.startswith(">", email.end()):
        return None
    lead = max(0, at - 120)
    if (reversed_ := _QUOTED_REVERSED.search(line, lead, at)) is not None:  # "Gonzalez, Maria"
        words = [*reversed_.group(2).split(), reversed_.group(1)]
        if plausible_person(words, lower=_casing(words) == "lower"):
            return reversed_.start(1), reversed_.end(2)
        return None
    found = _BEFORE_ANGLE.search(line, lead, at)
    if found is None:
        return None
    names = line[found.start() : at - 1].rstrip(" \t\"'")
    for words in list(_sub_runs(names, found.start()))[-1:]:
        # The name is the longest tail of the last run that reads as one: "email Priya
        # Raghunathan <...>" gives "Priya Raghunathan".
        for i in range(max(0, len(words) - 4), len(words)):
            texts = [line[s:e] for s, e in words[i:]]
            if texts[0].casefold() in PARTICLES:
                continue
            if _is_display_person(texts):
                return words[i][0], words[-1][1]
    return None


def _is_display_person(words: list[str]) -> bool:
    casing = _casing(words)
    if casing is None or any(w.casefold() in _NOT_PERSON_WORDS for w in words):
        return False
    if len(words) == 1:
        return is_given_name(words[0]) and not is_common_word(words[0])
    if casing != "title" and not is_given_name(words[0], strict=False):
        return False  # lower case or ALL CAPS: the first word must be a given name
    return plausible_person(words, lower=casing == "lower")


def _cells(line: str) -> Iterator[tuple[int, int]]:
    """Cells of a row: split at tabs, pipes, semicolons, commas, or " - " between fields."""
    pieces = list(_CELL.finditer(line))
    if len(pieces) == 1:
        # "name - email - phone - city" lists: dashes with spaces around them.
        parts, last = [], 0
        for dash in _DASH_SPLIT.finditer(line):
            parts.append((last, dash.start()))
            last = dash.end()
        parts.append((last, len(line)))
        spans = parts
    else:
        spans = [m.span() for m in pieces]
    for s, e in spans:
        chunk = line[s:e]
        # List markers, quotes and surrounding spaces are not part of the value.
        lead = len(chunk) - len(chunk.lstrip(" \t\"'*•-[("))
        trail = len(chunk) - len(chunk.rstrip(" \t\"'*)]."))
        if s + lead < e - trail:
            yield s + lead, e - trail
        else:
            yield s, s


def _header(line: str, cells: list[tuple[int, int]]) -> tuple[int, dict[int, str]] | None:
    """(number of cells, the kinds of the columns we report) when the row is a header."""
    if len(cells) < 2:
        return None
    keys = [_column_key(line[s:e]) for s, e in cells]
    known = _PERSON_COLUMNS | _PART_COLUMNS | _CITY_COLUMNS | _ORG_COLUMNS | _OTHER_COLUMNS
    if sum(k in known for k in keys) < 2 or any(k and k not in known and len(k) > 24 for k in keys):
        return None
    kinds = {i: kind for i, (s, e) in enumerate(cells) if (kind := _column_kind(line[s:e]))}
    return (len(cells), kinds) if kinds else None


def _word_kind(word: str) -> str | None:
    return _casing([word]) if word.casefold() not in PARTICLES else "particle"


def _sub_runs(run: str, offset: int) -> Iterator[list[tuple[int, int]]]:
    """Maximal runs of words written alike (Title case with particles, upper, lower), as
    the (start, end) of each word."""
    words = [(m.start() + offset, m.end() + offset, m.group()) for m in re.finditer(r"\S+", run)]
    current: list[tuple[int, int]] = []
    kind: str | None = None
    for s, e, word in words:
        wk = _word_kind(word)
        if wk == "particle" and kind == "title":
            current.append((s, e))
            continue
        if wk == "particle":
            wk = "lower" if word.islower() else _casing([word])
        if wk is not None and wk == kind:
            current.append((s, e))
            continue
        if current:
            yield current
        current, kind = ([(s, e)], wk) if wk is not None else ([], None)
    if current:
        yield current


_FIELD_LABELS = (
    "full name", "full_name", "fullname", "name", "customer", "contact", "contact person",
    "employee", "client", "owner", "assignee", "recipient", "patient", "applicant",
    "candidate", "manager", "attn", "attention", "ansprechpartner", "kontakt", "kunde",
    "mitarbeiter", "nom", "nombre", "naam", "contactpersoon", "nome", "cliente", "signed by",
    "prepared by", "requested by", "reported by", "ship to", "bill to", "deliver to", "sold to",
)  # fmt: skip
# Honorifics and titles before a name: `herr dr. klaus müller`, `Mme Camille Lefèvre`.
_TITLES = (
    r"(?:(?:(?i:herr|frau|dr|prof|mr|mrs|ms|mme|mlle|dhr|mevr|sr|sra|ing|mag)\.?"
    r"|(?i:m)\.)[ \t]+){0,3}"
)
_LABEL_ALTERNATION = "|".join(re.escape(label) for label in sorted(_FIELD_LABELS, key=len)[::-1])
# Values that make a labelled field code or a heading, not a person.
_NOT_FIELD_VALUES = _NOT_PERSON_WORDS | frozenset(
    [
        "model",
        "record",
        "type",
        "data",
        "info",
        "object",
        "entity",
        "details",
        "list",
        "manager",
        "repository",
        "schema",
        "dto",
        "id",
        "service",
        "view",
        "form",
        "field",
        "class",
        "table",
        "profile",
        "request",
        "response",
    ]
)


# `name:` alone labels build steps, services and files as often as people.
_GENERIC_LABEL = re.compile(r"(?<![a-z])name[\"']?[ \t]*[:=][ \t]*[\"']?$")
_QUALIFIED_LABEL = re.compile(r"(full|customer|contact|employee|client|patient)[ _]name")


class NameFieldRecognizer(WardenRecognizer):
    """`NAME: JOHN SMITH`, `"customer": "jan de vries"`, `Ansprechpartner: Hans Müller`."""

    ENTITY = "PERSON"
    # No literal may start with "p" or "u": "-p" and "-u" are command-line prefixes, and
    # the one-pass prefix search would hide "-patient" behind "-p" (test_command_line.py).
    # "Patient name:" is still found through "name".
    PREFIXES = tuple(
        sorted(
            {label.replace("_", " ") for label in _FIELD_LABELS if label[0] not in "pu"}
            | {"full_name"}
        )
    )
    ANCHORED = True
    MAX_LENGTH = 120
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "labelled_name",
            rf"(?<![\w.$])(?i:{_LABEL_ALTERNATION})(?:[ _](?i:name))?[\"']?[ \t]*[:=][ \t]*"
            rf"[\"']?{_TITLES}(?P<value>{_WORD}(?:[ \t]+{_WORD}){{0,4}})",
            0.9,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        runs = list(_sub_runs(text[start:end], start))
        if not runs or runs[0][0][0] != start:
            return None
        words = runs[0][:4]
        values = [text[s:e] for s, e in words]
        if len(values) < 2 or any(v.casefold() in _NOT_FIELD_VALUES for v in values):
            return None
        label = text[max(0, start - 40) : start].casefold()
        generic = re.search(
            r"(?<![a-z])name[\"']?[ \t]*[:=][ \t]*[\"']?$", label
        ) and not re.search(r"(full|customer|contact|employee|client|patient)[ _]name", label)
        casing = _casing(values)
        if (generic or casing == "lower") and not is_given_name(values[0], strict=bool(generic)):
            return None  # `name: Run Tests`, `contact: sales team`
        if not plausible_person(values, lower=casing == "lower"):
            return None  # `"name": "Victoria Secret Scanner"`, `Contact: Developer Relations`
        return start, words[-1][1]


_CUES = (
    "to", "cc", "bcc", "ask", "from", "with", "and", "contact", "call", "email", "e-mail",
    "tell", "meet", "by", "invite", "hi", "hello", "dear", "thanks", "attention",
    "attn", "loop in", "that", "remind", "notify", "message", "text", "assign", "thank",
    "t.a.v.", "z.hd.", "thank you", "herr", "frau", "mme", "mevr.", "dhr.",
)  # fmt: skip


# A line that is a shell command: lower-case words after "to" or "with" there are remotes,
# branches and hosts.
_COMMAND_LINE = re.compile(
    r"[ \t]*(?:[$#>][ \t]*)?(?:sudo[ \t]+)?(?:git|gh|docker|kubectl|helm|npm|npx|yarn|pnpm|pip|"
    r"uv|poetry|make|cargo|go|ssh|scp|rsync|curl|wget|cd|cp|mv|ln|terraform|ansible|az|aws|"
    r"gcloud)\b"
)


class GivenNameRecognizer(WardenRecognizer):
    """A given name and a surname after a word that introduces a person, in any case:
    "send it to john smith", "CC MARIA KOWALSKA", "meet Fredrik Johansson"."""

    ENTITY = "PERSON"
    PREFIXES = tuple(f"{cue} " for cue in _CUES)
    ANCHORED = True
    MAX_LENGTH = 100
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "cued_name",
            rf"(?<![\w.$-])(?i:{'|'.join(re.escape(c) for c in sorted(_CUES, key=len)[::-1])})"
            rf"[ \t]+{_TITLES}(?P<value>{_WORD}(?:[ \t]+{_WORD}){{1,3}})",
            0.9,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        runs = list(_sub_runs(text[start:end], start))
        if not runs or runs[0][0][0] != start or len(runs[0]) < 2:
            return None
        words = runs[0]
        values = [text[s:e] for s, e in words]
        if not is_given_name(values[0]):
            return None
        casing = _casing(values)
        keep = 1
        for value in values[1:]:
            key = value.casefold()
            if key in PARTICLES and casing != "upper":
                keep += 1
                continue
            if key in NOT_SURNAMES or key in _NOT_PERSON_WORDS or len(key) < 2:
                break
            keep += 1
            if casing == "lower" or keep >= 3:
                break  # lower case: given name and surname only, "john smith tomorrow"
        while keep > 1 and values[keep - 1].casefold() in PARTICLES:
            keep -= 1
        if keep < 2 or not plausible_person(values[:keep], lower=casing == "lower"):
            return None  # "Mark Stale Issues", "to jordan main", "with dev branch"
        if casing == "lower" and _COMMAND_LINE.match(text, text.rfind("\n", 0, start) + 1):
            return None  # `git push to jordan main`: a shell line names branches and remotes
        return start, words[keep - 1][1]


# Keys that hold one part of a name: the value is personal data even as a single word.
_PART_KEY = (
    r"(?:(?i:first|last|given|family|middle|fore|sur)[ _-]?(?i:name)|(?i:vor|nach)(?i:name)"
    r"|(?i:pr[eé]nom|nom|apellidos?|achternaam|voornaam|tussenvoegsel))"
)
# Type names, placeholders and keywords that sit where a value would in code and schemas.
_NOT_PART_VALUES = frozenset(
    {"str", "string", "int", "integer", "text", "varchar", "char", "bool", "boolean", "null",
     "nil", "undefined", "optional", "required", "object", "unknown", "self", "foo", "bar",
     "baz", "qux", "lorem", "ipsum", "sample", "placeholder", "todo", "tbd", "na", "none",
     "true", "false", "yes", "no", "empty", "blank", "mandatory", "varchar2", "nvarchar",
     "charfield", "textfield", "column", "field", "input", "type", "default", "first", "last",
     "name", "surname", "test", "example", "unset", "missing", "redacted", "anonymous"}
)  # fmt: skip


def _plain_word(word: str) -> bool:
    """Letters in lower case, ALL CAPS or Title case, hyphen and apostrophe parts alike: not
    `FirstName`, `userName`."""
    parts = [p for p in re.split(r"['\u2019-]", word) if p]
    return bool(parts) and all(
        p.islower() or p.isupper() or (p[0].isupper() and (len(p) == 1 or p[1:].islower()))
        for p in parts
    )


class NamePartFieldRecognizer(WardenRecognizer):
    """The value under a key that holds one part of a name, even one word:
    `{"firstName":"Maria","lastName":"Gonzalez"}`, `last_name: gonzalez`, `vorname = Jürgen`,
    `<surname>Okafor</surname>`. Not a type, a call or an identifier (`first_name: str`,
    `first_name = get_first(user)`, `"lastName": "user_name"`, `last_name = surname`)."""

    ENTITY = "PERSON"
    # "prénom"/"prenom" are found through "nom" (no literal may start with "p", see above).
    PREFIXES = ("first", "last", "given", "family", "middle", "fore", "sur", "vorname",
                "nachname", "nom", "apellido", "achternaam", "voornaam",
                "tussenvoegsel")  # fmt: skip
    BEFORE = 3
    MAX_LENGTH = 90
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "name_part_field",
            rf"(?:(?<![^\W\d_])|(?<=[a-z])(?=[A-Z])){_PART_KEY}"
            r"(?P<sep>[\"']?[ \t]*(?:=>|:=|[:=])[ \t]*|>)(?P<quote>[\"']?)"
            rf"(?P<value>{_WORD}(?:[ \t]{_WORD}){{0,2}})",
            0.9,
        ),
    )

    def analyze_span(self, text: str, start: int, end: int) -> list[RecognizerResult]:
        results = []
        for match in _PART_FIELD.finditer(text, start, min(len(text), end + self.MAX_LENGTH)):
            if match.start() >= end:
                break
            span = self._value(text, match)
            if span is not None:
                result = self._score(text, *span, 0.9)
                if result is not None:
                    results.append(result)
        return results

    @staticmethod
    def _value(text: str, match: re.Match[str]) -> tuple[int, int] | None:
        s, e = match.span("value")
        after = text[e : e + 2]
        quote = match.group("quote")
        if match.group("sep") == ">":
            if not after.startswith("<"):
                return None  # XML: the element's text is the whole value
        elif quote:
            if not after.startswith(quote):
                return None  # "user_name", "Maria {x}": the quoted value goes on
        elif not re.match(r"[ \t]*(?:$|[\r\n,}\]#])", text[e : e + 40]):
            return None  # `first_name: str = ""`, `= get_first(user)`, `= Optional[str]`
        words = text[s:e].split()
        if not all(_plain_word(w) for w in words):
            return None
        core = [w for w in words if w.casefold() not in PARTICLES] or words
        if any(
            w.casefold() in _NOT_PART_VALUES
            or w.casefold() in NOT_SURNAMES
            or is_common_word(w, surnames_count=False)
            for w in core
        ):
            return None
        if not quote and "=" in match.group("sep") and all(w.islower() for w in words):
            return None  # `last_name = surname`: an assignment of a variable, not a value
        return s, e


_PART_FIELD = re.compile(NamePartFieldRecognizer.PATTERNS[0].regex)


_CLOSINGS = (
    "best", "regards", "thanks", "thank you", "cheers", "sincerely", "wishes", "care", "soon",
    "grüße", "grüsse", "grüßen", "grüssen", "gruß", "gruss", "cordialement", "salutations",
    "groet", "groeten", "saludos", "atentamente", "cumprimentos", "saluti", "hälsningar",
    "mvh", "vous",
)  # fmt: skip
# Words a closing line may start with: "Kind regards", "Mit freundlichen Grüßen", "Bien à vous".
_CLOSING_LEAD = re.compile(
    r"[ \t>]*(?:(?i:kind|warm|warmest|best|many|with|all|the|mit|freundlichen|viele|liebe|"
    r"beste|herzliche|bien|bien à|à|met|vriendelijke|hartelijke|un|muchos|cordiali|yours|"
    r"very|truly|thanks|and|take|talk)[ \t]+){0,3}"
)


class SignatureRecognizer(WardenRecognizer):
    """A name alone on the line after a closing, in any case: "Best,\\nmaria gonzalez\\nHR
    Business Partner", "Viele Grüße,\\nKlaus Müller", "Cordialement,\\nCamille Lefèvre".
    Not a team or a step (`Thanks,\\nBuild Team`, `Cheers,\\nthe platform team`)."""

    ENTITY = "PERSON"
    PREFIXES = _CLOSINGS
    ANCHORED = True
    MAX_LENGTH = 110
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "signature",
            rf"(?i:{'|'.join(re.escape(c) for c in sorted(_CLOSINGS, key=len, reverse=True))})"
            r"[ \t]*[,!.]?[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*(?:[-\u2013\u2014]+[ \t]*)?"
            rf"(?P<value>{_WORD}(?:[ \t]{_WORD}){{0,3}})[ \t]*(?=\r?\n|$)",
            0.9,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        before = text[max(0, start - self.MAX_LENGTH) : start].rstrip()  # up to the closing
        closing_line = before[before.rfind("\n") + 1 :].rstrip(" \t\r,!.")
        lead = _CLOSING_LEAD.match(closing_line)
        if lead is None or closing_line[lead.end() :].casefold() not in _CLOSINGS:
            return None  # "I like this best,": the closing must be the line
        words = text[start:end].split()
        return (start, end) if _is_display_person(words) else None


_UPPER = "A-ZÀ-ÖØ-Þ"
# Technical words in ALL CAPS that follow a word: SQL, log levels, HTTP verbs.
_CAPS_TECH = frozenset(
    {"select", "where", "join", "insert", "update", "delete", "create", "drop", "alter",
     "values", "into", "limit", "union", "distinct", "having", "null", "info", "warn", "debug",
     "error", "fatal", "trace", "get", "post", "put", "patch", "head", "options", "todo",
     "fixme", "json", "yaml", "xml", "csv", "html", "http", "https", "id", "uuid", "ok"}
)  # fmt: skip


class AllCapsNameRecognizer(WardenRecognizer):
    """An ALL-CAPS given name and an ALL-CAPS surname with no cue word: "PATIENT MARIA
    GONZALEZ WAS ADMITTED ON 3/4". The given name must not be a word (MARK, GRACE, WILL) and
    the surname no common or technical word (`MARIA DB`, `JULIA PACKAGE`, `JOHN_SMITH`)."""

    ENTITY = "PERSON"
    MAX_LENGTH = 80
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "all_caps_name",
            rf"(?<![\w.$@/\\'-])(?P<value>[{_UPPER}]{{3,}})(?=[ \t][{_UPPER}])",
            0.85,
        ),
    )
    _SURNAME = re.compile(rf"[ \t]({_WORD})(?![\w@]|[.\-/][\w])")

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        given = text[start:end]
        if not is_given_name(given) or is_common_word(given):
            return None
        found = self._SURNAME.match(text, end)
        if found is None:
            return None
        surname = found.group(1)
        key = surname.casefold()
        if (
            not surname.isupper()
            or len(key) < 2
            or is_common_word(key)
            or key in NOT_SURNAMES
            or key in _NOT_PERSON_WORDS
            or key in _CAPS_TECH
        ):
            return None
        return start, found.end(1)
