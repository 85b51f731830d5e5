"""Street addresses with a house number, in US, UK, German, French and Dutch formats.

spaCy's model finds the city of `Leopold-Jüttner-Straße 119, 28056 Fallingbostel` at best,
so redaction left the street and number readable. These patterns cover the whole address:
street, number, flat or suite, postcode and city, each in its country's order:

- US   `1234 Elm St, Apt 5B, Springfield, IL 62704`
- UK   `221B Baker Street, London NW1 6XE`
- DE   `Leopold-Jüttner-Straße 119, 28056 Fallingbostel`, `Hauptstr. 5`
- FR   `12 rue de la Paix, 75002 Paris`
- NL   `Keizersgracht 123, 1015 CJ Amsterdam`

Reported as LOCATION, the type NER gives places, so policies and placeholders that name
LOCATION (or the PII group) cover addresses without a new type.

A house number is required: "Main St" in a code comment, "the Baker Street office" and
`street = "Elm St"` are not addresses anyone can be found at. A number and a street name
alone are not enough either: "Removed 12 Park Place fixtures", `name = "10 Downing
Street"`, "X-Request-Id: 42 Queen Street" and "300 Market Street Journal" are code and
titles. A street and number without postcode and city counts only after an address label
("address:", "ship to", "send it to", "Anschrift", "adresse") or as a line of its own next
to another non-blank line (a letter's address block). Scores sit above NER's 0.85
(0.9 with postcode and city, 0.86 for a street and number alone), so that where the model
saw part of an address as a person or a company ("Hauptstr" as PERSON), the whole address
wins the overlap and is redacted as one LOCATION.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from warden.dlp import slices
from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["StreetAddressRecognizer"]

_UP = "A-ZÀ-ÖØ-ÞĀĆČĐĘĚŁŃŇŒŘŚŠŤŮŹŻŽ"
_CAP = rf"[{_UP}][^\W\d_]*(?:['\u2019][^\W\d_]+)?"
_CITY = rf"{_CAP}(?:[ \t-]{_CAP}){{0,2}}(?:[ \t](?:am|an der|upon|on|sur|en)[ \t]{_CAP})?"
_SEP = r"(?:,[ \t]*(?:\n[ \t]*)?|[ \t]*\n[ \t]*)"

_EN_TYPES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|"
    "Terrace|Ter|Parkway|Pkwy|Circle|Cir|Trail|Trl|Highway|Hwy|Close|Gardens|Crescent|Grove|"
    "Mews|Square|Sq|Hill|Row|Walk|Plaza"
)
_UNIT = r"(?:,?[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|#)\.?[ \t]*#?[A-Za-z0-9-]{1,6})"
_US_TAIL = rf"{_SEP}{_CITY},?[ \t]+[A-Z]{{2}}[ \t]+\d{{5}}(?:-\d{{4}})?"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"
_UK_TAIL = rf"{_SEP}(?:{_CITY}(?:,[ \t]*|[ \t]+))?{_UK_POSTCODE}"
_EN_STREET = (
    rf"\d{{1,5}}[A-Za-z]?(?:[ \t]+[NSEW]\.?)?(?:[ \t]+{_CAP}){{1,3}}[ \t]+(?:{_EN_TYPES})\b\.?"
    rf"(?:[ \t]+(?:NW|NE|SW|SE|N|S|E|W)\b\.?)?{_UNIT}?"
)

# German and Dutch street names end in their type ("Hauptstraße", "Keizersgracht") or put it
# after a name ("Berliner Straße"); the number follows. Without a postcode only the
# unmistakable types count: "Spring 5" ends in "ring" and "Boeing 747" in "ing".
_DE_NL_SURE = (
    "straße|strasse|str\\.|weg|allee|platz|gasse|straat|laan|gracht|plein|kade|singel|dijk|steeg"
)
_DE_NL_MORE = "ring|damm|ufer|chaussee|steig|pfad|markt|graben|dreef|hof|pad"
_DE_NL_NUMBER = r"\d{1,4}[a-zA-Z]?(?:[-/]\d{1,4}[a-zA-Z]?)?\b"
_DE_TAIL = rf"{_SEP}(?:D-)?\d{{5}}[ \t]+{_CITY}"
_NL_TAIL = rf"{_SEP}\d{{4}}[ \t]?[A-Z]{{2}}[ \t]+{_CITY}"


def _de_nl_street(types: str) -> str:
    # "Hauptstraße", "Leopold-Jüttner-Straße": the type ends the last word or is the word
    # after the last hyphen.
    glued = rf"(?:[{_UP}][^\W\d_]*-)*(?:[{_UP}][^\W\d_]*?(?i:{types})|(?i:{types}))"
    spaced = rf"{_CAP}[ \t]+(?i:{types})"
    return rf"(?<![\w-])(?:{glued}|{spaced})[ \t]+{_DE_NL_NUMBER}"


_FR_TYPES = (
    "rue|avenue|av\\.|boulevard|bd|place|impasse|chemin|allée|quai|route|cours|square|passage"
)
_FR_WORD = rf"(?:{_CAP}|de|du|des|la|le|les|l'|d')"
_FR_STREET = (
    rf"\b\d{{1,4}}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:{_FR_TYPES})[ \t]+"
    rf"(?:(?:de|du|des|la|le|les|l'|d')[ \t]*)*{_CAP}(?:[ \t]+{_FR_WORD}){{0,3}}"
)
_FR_TAIL = rf"{_SEP}\d{{5}}[ \t]+{_CITY}(?:[ \t]+CEDEX)?"


# Lower case US addresses need the whole tail: city, state code and ZIP code.
_US_STATE_CODES = (
    "al|ak|az|ar|ca|co|ct|de|dc|fl|ga|hi|id|il|in|ia|ks|ky|la|me|md|ma|mi|mn|ms|mo|mt|ne|nv|"
    "nh|nj|nm|ny|nc|nd|oh|ok|or|pa|ri|sc|sd|tn|tx|ut|vt|va|wa|wv|wi|wy"
)
_LOW = r"[a-z]+"
_US_LOWER = (
    rf"\b\d{{1,5}}(?:[ \t]+{_LOW}){{1,3}}[ \t]+(?:{_EN_TYPES.lower()})\b\.?,?"
    rf"(?:[ \t]+{_LOW}){{1,3}},?[ \t]+(?:{_US_STATE_CODES})[ \t]+\d{{5}}(?:-\d{{4}})?\b"
)
# German streets without a type word ("Am Hang 7") and one-word Dutch ones ("Damrak 1") count
# only with a postcode and city after them.
_DE_PREP = r"(?:Am|An der|An den|Auf der|Auf dem|Im|In der|In den|Zum|Zur|Unter den|Hinter der)"
_DE_PREP_ADDRESS = rf"(?<![\w-]){_DE_PREP}[ \t]+{_CAP}[ \t]+{_DE_NL_NUMBER}{_DE_TAIL}"
_NL_ONE_WORD = rf"(?<![\w-]){_CAP}[ \t]+{_DE_NL_NUMBER}{_NL_TAIL}"

# The patterns that find a street and number alone, and what must come before them.
_BARE = frozenset({"en_street", "de_nl_street", "fr_street"})
_ADDRESS_LABEL = re.compile(
    r"(?i:\b(?:address|addr|adresse|anschrift|adres|direcci[oó]n|indirizzo|endere[cç]o|"
    r"located at|lives? at|living at|wohnhaft|wohnt|domicile|ship(?:ping)? to|bill(?:ing)? to|"
    r"deliver(?:y|ed)? to|mail(?:ed)? to|(?:send|sent|post|forward)\b[^\n]{0,40}\bto|"
    r"attn|c/o))\b[ \t]*[:=]?[ \t]*[\"']?$"
)


def _labelled_or_block(text: str, start: int, end: int) -> bool:
    """An address label before the street on its line, or the street alone on a line that a
    non-blank line adjoins (an address block)."""
    line_start = text.rfind("\n", 0, start) + 1
    if _ADDRESS_LABEL.search(text, max(line_start, start - 60), start):
        return True
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:start].strip(" \t-*•>") or text[end:line_end].strip(" \t,.;"):
        return False
    before = text[: max(0, line_start - 1)].rsplit("\n", 1)[-1] if line_start else ""
    after = text[line_end + 1 :].split("\n", 1)[0] if line_end < len(text) else ""
    return bool(before.strip() or after.strip())


class StreetAddressRecognizer(WardenRecognizer):
    ENTITY = "LOCATION"
    MAX_LENGTH = 200
    JOIN_LINES = False
    PATTERNS = (
        Pattern("us_address", rf"\b(?:{_EN_STREET}){_US_TAIL}", 0.9),
        Pattern("uk_address", rf"\b(?:{_EN_STREET}){_UK_TAIL}", 0.9),
        Pattern("en_street", rf"\b{_EN_STREET}", 0.86),
        Pattern("de_address", rf"{_de_nl_street(_DE_NL_SURE + '|' + _DE_NL_MORE)}{_DE_TAIL}", 0.9),
        Pattern("nl_address", rf"{_de_nl_street(_DE_NL_SURE + '|' + _DE_NL_MORE)}{_NL_TAIL}", 0.9),
        Pattern("de_nl_street", _de_nl_street(_DE_NL_SURE), 0.86),
        Pattern("fr_address", rf"{_FR_STREET}{_FR_TAIL}", 0.9),
        Pattern("fr_street", _FR_STREET, 0.86),
        Pattern("us_lower_address", _US_LOWER, 0.9),
        Pattern("de_prep_address", _DE_PREP_ADDRESS, 0.9),
        Pattern("nl_one_word_address", _NL_ONE_WORD, 0.9),
    )

    def analyze_span(self, text: str, start: int, end: int) -> list[RecognizerResult]:
        """The base class's search, with a street-only match kept only where
        _labelled_or_block says it is an address."""
        results: list[RecognizerResult] = []
        for pattern, compiled in self._compiled:
            bare = pattern.name in _BARE
            for match in slices.finditer(
                compiled, text, overlap=self.MAX_LENGTH, start=start, end=end
            ):
                s, e = match.span()
                if s == e or (bare and not _labelled_or_block(text, s, e)):
                    continue
                result = self._score(text, s, e, pattern.score)
                if result is not None:
                    results.append(result)
        return results
