"""Person names that the words around them announce: "Dear Ana Lima", "Mr. Chen",
"Name: Ana Lima", "my name is Ana Lima".

The statistical model misses or mislabels such names often (it reads "Dear Mark Scott" as an
organisation); these cues are close to certain. Runs with or without NER.
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.given_names import plausible_person

__all__ = ["PersonContextRecognizer"]

_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'\u2019]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'\u2019]+)?"
_NAME = (
    rf"(?P<value>{_WORD}(?: (?:(?:de|van|von|der|den|la|le|da|di|du|del|bin|al) )?{_WORD}){{0,3}})"
)
# Words that follow "Dear" or a label without being anyone's name.
_NOT_NAMES = frozenset(
    {"sir", "madam", "team", "customer", "customers", "all", "colleagues", "friends", "user",
     "users", "client", "support", "hiring", "manager", "members", "partner", "partners",
     "valued", "applicant", "candidate", "reader", "everyone", "there"}
)  # fmt: skip


_LABEL_BEFORE = re.compile(r"[:=][ \t]*[\"']?$")


class PersonContextRecognizer(WardenRecognizer):
    ENTITY = "PERSON"
    PREFIXES = ("dear ", "mr", "mrs", "ms", "miss ", "dr.", "prof", "name", "i'm ", "i am ")
    BEFORE = 24
    MAX_LENGTH = 120
    JOIN_LINES = False
    FLAGS = re.MULTILINE
    PATTERNS = (
        Pattern(
            "salutation",
            rf"\b(?:Dear|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.|Prof\.)[ \t]+{_NAME}",
            0.9,
        ),
        Pattern(
            "name_field",
            r"^[ \t]*(?i:full[ _]name|name|customer name|employee name|patient name"
            rf"|cardholder name)[ \t]*[:=][ \t]*[\"']?{_NAME}",
            0.9,
        ),
        # "I'm Happy to help" is not a name: after "I'm" it takes a first and a last name.
        Pattern("my_name_is", rf"\b(?i:my name is)[ \t]+{_NAME}", 0.85),
        Pattern("introduction", rf"\b(?:I'm|I am)[ \t]+(?={_WORD} {_WORD}){_NAME}", 0.75),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        first = text[start:end].split(" ", 1)[0]
        if first.lower() in _NOT_NAMES:
            return None
        if _LABEL_BEFORE.search(text, max(0, start - 40), start) and not plausible_person(
            text[start:end].split()
        ):
            return None  # `name: Build Docker Image`, `Name: Build Server`: a step, not a person
        return start, end
