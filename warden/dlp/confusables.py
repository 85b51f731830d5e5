"""Look-alikes of ASCII letters, digits and '-' that NFKC leaves alone.

Not Unicode's whole confusables table (thousands of entries): the characters people actually
use to dodge filters. The scan view (normalize.py) applies it only inside tokens that also hold
ASCII letters or digits.
"""

# ruff: noqa: RUF001  (this module's job is to list look-alike characters)

from __future__ import annotations

__all__ = ["CONFUSABLES"]

CONFUSABLES = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    "Ӏ": "I", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "α": "a", "ν": "v", "ρ": "p",
    "ι": "i", "κ": "k", "υ": "u", "τ": "t", "ϲ": "c", "ϳ": "j",
    # Latin letters that look like other Latin letters
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʏ": "y", "ᴀ": "A", "ʀ": "R", "ꓲ": "I",
    "ꓳ": "O", "ꓴ": "U", "ꓢ": "S", "ꓚ": "C", "ꓓ": "D", "ꓐ": "B", "ꓑ": "P", "ꓔ": "T",
    # Armenian and others
    "օ": "o", "ս": "u", "ց": "g", "ᏼ": "B", "Ꭺ": "A", "Ꮯ": "C", "Ꭼ": "E", "Ꮋ": "H", "Ꮮ": "L",
    # Dashes and minus signs
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "⁃": "-", "˗": "-",
    "﹘": "-", "ー": "-",
}  # fmt: skip
