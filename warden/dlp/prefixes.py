"""One regex that finds many literals at once, shaped as a trie.

`re` tries the branches of an alternation one after the other at every position whose first
character could start one. With sixty literals over lower-cased text, where nearly every
position starts some branch, that costs about 45 ms per megabyte. Factoring the literals into
a trie ("a(?:kia|sia|uth|ws)" instead of "akia|asia|auth|aws") lets each position fail after
one or two characters: about 15 ms per megabyte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["literal_trie_regex"]

_END = ""


def literal_trie_regex(literals: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any of the literals, preferring the longest at a position."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[_END] = {}
    return re.compile(_render(trie))


def _render(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    branches = [re.escape(char) + _render(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    optional = _END in node  # a literal ends here and longer ones continue
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:
        body = f"(?:{body})?"
    return body
