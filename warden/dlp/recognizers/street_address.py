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
`street = "Elm St"` are not addresses anyone can be found at. Scores sit above NER's 0.85
(0.9 with postcode and city, 0.86 for a street and number alone), so that where the model
saw part of an address as a person or a company ("Hauptstr" as PERSON), the whole address
wins the overlap and is redacted as one LOCATION.
"""

from __future__ import annotations

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
    rf"{_UNIT}?"
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
    )
