"""Rebuild warden/dlp/data/given_names.txt, the given-name list DLP confirms names with.

Source: the first-name lists of Faker's person providers (MIT licence; Faker compiles them
from national statistics offices' published name frequencies, e.g. the US Social Security
Administration's baby names, INSEE's prénoms, the Meertens Instituut's Nederlandse
Voornamenbank) for the locales below. One lower-cased name a line; names of two letters and
multi-part names (split into their parts) are left out or split, since "Al" or "Jo" alone
confirm nothing.

  .venv/bin/python scripts/build_given_names.py
"""

from __future__ import annotations

import re
from pathlib import Path

import faker
from faker import Faker

LOCALES = ("en_US", "en_GB", "en_IE", "de_DE", "de_AT", "fr_FR", "nl_NL", "es_ES", "es_MX",
           "en_IN", "it_IT", "pt_BR", "pl_PL", "tr_TR")  # fmt: skip
OUT = Path(__file__).resolve().parent.parent / "warden" / "dlp" / "data" / "given_names.txt"
_NAME = re.compile(r"[^\W\d_]{3,}(?:-[^\W\d_]{3,})?")


def main() -> None:
    names: set[str] = set()
    for locale in LOCALES:
        provider = Faker(locale).provider("faker.providers.person")
        for attr in ("first_names", "first_names_male", "first_names_female"):
            for name in getattr(provider, attr, None) or ():
                names |= {p.casefold() for p in name.split() if _NAME.fullmatch(p)}
    header = (
        f"# Given names, lower-cased, from Faker {faker.VERSION} person providers (MIT), "
        f"locales {' '.join(LOCALES)}.\n# Rebuilt by scripts/build_given_names.py.\n"
    )
    OUT.write_text(header + "\n".join(sorted(names)) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {OUT}")


if __name__ == "__main__":
    main()
