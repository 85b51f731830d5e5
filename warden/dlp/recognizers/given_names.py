"""Given names that confirm a person where capitalisation cannot: lower case, ALL CAPS, lists.

The list (data/given_names.txt, about 6,400 names) is built from Faker's per-country first
name lists by scripts/build_given_names.py, which names the source and locales. It is read
once, on first use, into a frozenset.

A name that is also an ordinary or technical word (Will, Grace, Ruby, Claude, Jasmine) is in
the list, but AMBIGUOUS keeps it from confirming a name on its own: "ask grace period" and
"send it to ruby gems" are not people.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

__all__ = [
    "AMBIGUOUS",
    "NOT_SURNAMES",
    "PARTICLES",
    "common_words",
    "fold",
    "given_names",
    "is_common_word",
    "is_given_name",
    "plausible_person",
]

AMBIGUOUS = frozenset(
    [
        "ada",
        "albert",
        "alexa",
        "amber",
        "angel",
        "apollo",
        "april",
        "august",
        "aurora",
        "autumn",
        "bart",
        "bert",
        "bill",
        "brandy",
        "carol",
        "carter",
        "cassandra",
        "chase",
        "claude",
        "coral",
        "crystal",
        "daisy",
        "dale",
        "dawn",
        "dean",
        "del",
        "destiny",
        "diamond",
        "don",
        "drew",
        "earl",
        "faith",
        "frank",
        "gene",
        "glen",
        "grace",
        "grant",
        "guy",
        "hazel",
        "heather",
        "holly",
        "hunter",
        "iris",
        "ivy",
        "jack",
        "jackson",
        "jade",
        "jasmine",
        "jasper",
        "jay",
        "jet",
        "joy",
        "june",
        "lee",
        "lily",
        "lucky",
        "luna",
        "marian",
        "mark",
        "mason",
        "max",
        "melody",
        "minerva",
        "misty",
        "nick",
        "nova",
        "parker",
        "pascal",
        "pastor",
        "penny",
        "raven",
        "ray",
        "roberta",
        "robin",
        "rose",
        "ruby",
        "sandy",
        "server",
        "sue",
        "summer",
        "taylor",
        "travis",
        "wolf",
        "will",
        "may",
        "sky",
        "star",
        "storm",
        "page",
        "rich",
        "art",
        "justice",
        "hope",
        "chance",
        "miles",
        "else",
    ]
)
# Words after a given name that make it something else: "max retries", "ray tracing",
# "maria db", "julia package", "victoria station".
NOT_SURNAMES = frozenset(
    [
        "db",
        "sql",
        "server",
        "client",
        "api",
        "app",
        "apps",
        "package",
        "packages",
        "code",
        "model",
        "models",
        "lang",
        "language",
        "station",
        "street",
        "road",
        "avenue",
        "city",
        "county",
        "university",
        "college",
        "school",
        "hospital",
        "bank",
        "group",
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "corp",
        "company",
        "team",
        "project",
        "cloud",
        "studio",
        "labs",
        "lab",
        "tech",
        "data",
        "sdk",
        "cli",
        "ui",
        "is",
        "was",
        "are",
        "were",
        "has",
        "had",
        "have",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "from",
        "about",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "him",
        "she",
        "he",
        "we",
        "they",
        "you",
        "i",
        "me",
        "us",
        "them",
        "retries",
        "level",
        "mode",
        "type",
        "version",
    ]
)


def fold(word: str) -> str:
    """Lower case without accents ("José" -> "jose"), for comparing with e-mail local parts."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def given_names() -> frozenset[str]:
    text = resources.files("warden.dlp").joinpath("data/given_names.txt").read_text("utf-8")
    names = {line for line in text.splitlines() if line and not line.startswith("#")}
    # Accent-free spellings too: people type "Jose" and "Zoe" as often as "José" and "Zoé".
    return frozenset(names | {fold(n) for n in names})


def is_given_name(word: str, *, strict: bool = True) -> bool:
    """`strict`: an ambiguous name (Grace, Mark) does not count."""
    key = word.casefold()
    if strict and key in AMBIGUOUS:
        return False
    return key in given_names()


@cache
def common_words() -> dict[str, bool]:
    """Common English and technical words (data/common_words.txt, built by
    scripts/build_common_words.py from Faker's English lorem list and a hand-written
    technical list), each with whether it is also a surname ("white", "branch")."""
    text = resources.files("warden.dlp").joinpath("data/common_words.txt").read_text("utf-8")
    words: dict[str, bool] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, _, mark = line.partition("\t")
            words[word] = mark == "surname"
    return words


def is_common_word(word: str, *, surnames_count: bool = True) -> bool:
    """`surnames_count=False`: a common word that is also a surname ("White") does not count."""
    surname = common_words().get(word.casefold())
    return surname is not None and (surnames_count or not surname)


# Words inside a name that are not its given name or surname: "van", "de", "bin".
PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "del",
        "della",
        "da",
        "di",
        "du",
        "la",
        "le",
        "dos",
        "das",
        "do",
        "bin",
        "ibn",
        "al",
        "ter",
        "ten",
        "y",
        "zu",
    ]
)


def plausible_person(words: list[str], *, lower: bool = False) -> bool:
    """Whether two or more words can be a person's name as far as the words themselves go:
    no common or technical word as the surname ("Build Server", "Mark Stale", "Admin User",
    "jordan main"), none after a word-like given name (Mark, Grace) or in lower case even if
    it is a surname ("Mark White" stays unconfirmed), and no first word that is a common
    word but not a given name ("Build Docker Image", "Security Ops")."""
    core = [w for w in words if w.casefold() not in PARTICLES]
    if len(core) < 2:
        return False
    first = core[0].casefold()
    if is_common_word(first) and not is_given_name(first, strict=False):
        return False
    strict = lower or first in AMBIGUOUS or is_common_word(first)
    for word in core[1:]:
        key = word.casefold()
        if key in NOT_SURNAMES or is_common_word(key, surnames_count=strict):
            return False
    return True
