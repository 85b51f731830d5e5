"""Literal strings a regex cannot match without: a cheap gate before the regex runs.

Python's re cannot skip ahead on a pattern that starts with \\b or an alternation of words,
so a phrase pattern costs about 20 ns per character of text even when nothing is there. But
every match of r"\\bdo anything now\\b" contains "do anything now", and every match of
r"\\b(?:ignore|skip) (?:the )?rules" contains "ignore " or "skip " and also " rules":
a set lookup answers those in a fraction of the time. `required_literals` reads the
pattern's parse tree and returns such sets; `Gate` checks them. A gate only ever says "cannot
match" when the pattern really cannot: anything it does not understand (a class of many
characters, a repeat that may be empty, a lookaround, a flag) adds no requirement.

Most required strings hold a whole word: "ignore " after \\b is the word "ignore", whatever
follows. Such a requirement is checked against the set of the text's words (one C-level
set operation, however many alternatives); the rest with `in` on the text.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Gate", "GateIndex", "required_literals"]

MAX_STRINGS = 48  # a larger set of alternatives costs more to check than it saves
MAX_CLASS = 4  # [\"'] is two alternatives; [a-z] is no requirement at all
KEEP_WORDS = 4  # word requirements checked per pattern (each is one set operation)
FEW = 4  # a word requirement of this many alternatives is also checked as strings
KEEP_STRINGS = 2  # string requirements checked per pattern (each is `in` per alternative)

type Needs = list[frozenset[str]]  # every set: the text holds at least one of its strings

BOUNDARY = "\x00"  # stands for \b inside a required string: a word edge, no character
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Gate:
    key: frozenset[str] | None = None  # the rarest word requirement, for GateIndex
    words: tuple[frozenset[str], ...] = ()  # the text's words meet each of these sets
    strings: tuple[frozenset[str], ...] = ()  # the text contains one string of each set
    # Some requirement holds only non-ASCII strings ("忽略", "instruções"): an ASCII text
    # (str.isascii() is a flag read, not a scan) cannot match.
    non_ascii: bool = False

    @classmethod
    def of(cls, pattern: re.Pattern[str], words_needed: Iterable[frozenset[str]] = ()) -> Gate:
        """`words_needed`: more word requirements the caller knows of (a family's anchors)."""
        words, strings = list(words_needed), []
        non_ascii = False
        for need in required_literals(pattern):
            if need and not any(s.replace(BOUNDARY, "").isascii() for s in need):
                non_ascii = True
            whole = [_whole_word(s) for s in need]
            plain = frozenset(s.replace(BOUNDARY, "") for s in need)
            if all(whole):
                words.append(frozenset(w for w in whole if w))
                if len(need) <= FEW and plain != words[-1]:
                    strings.append(plain)  # "do anything now" says more than "anything"
            else:
                strings.append(plain)
        words = sorted(set(words), key=_selectivity, reverse=True)[:KEEP_WORDS]
        # Strings cost a Python-level loop: only the two most selective, the smaller first.
        strings = sorted(strings[:KEEP_STRINGS], key=len)
        return cls(words[0] if words else None, tuple(words[1:]), tuple(strings), non_ascii)

    def may_match(self, text: str, words: frozenset[str]) -> bool:
        """Whether the pattern can match `text`. `words`: the set of the text's words (runs
        of word characters, phrases.words_of)."""
        if self.key is not None and words.isdisjoint(self.key):
            return False
        if self.non_ascii and text.isascii():
            return False
        # Plain loops: this runs for every opened gate, and generators cost more than the test.
        for need in self.words:
            if words.isdisjoint(need):
                return False
        for need in self.strings:
            for required in need:
                if required in text:
                    break
            else:
                return False
        return True


class GateIndex:
    """Which of many gates a text's words open: one set intersection, then a short loop
    over the few key words the text holds (ordinary text holds few)."""

    def __init__(self, gates: Sequence[Gate]) -> None:
        by_word: dict[str, list[int]] = {}
        for i, gate in enumerate(gates):
            for word in gate.key or ():
                by_word.setdefault(word, []).append(i)
        self._keyless = frozenset(i for i, gate in enumerate(gates) if gate.key is None)
        self._by_word = by_word
        self._keys = frozenset(by_word)

    @property
    def keys(self) -> frozenset[str]:
        """Every key word: a text holding none of them opens only the gates without a key."""
        return self._keys

    def opened(self, words: frozenset[str]) -> list[int]:
        """The positions (in the sequence given) of the gates open to `words`, in order."""
        opened = set(self._keyless)
        for word in self._keys.intersection(words):
            opened.update(self._by_word[word])
        return sorted(opened)


def _whole_word(required: str) -> str | None:
    """The longest word of `required` that a match must hold as a whole word of the text:
    one with a non-word character or a word boundary on both sides."""
    inner = [
        m.group(0) for m in _WORD.finditer(required) if m.start() > 0 and m.end() < len(required)
    ]
    return max(inner, key=len) if inner else None


def required_literals(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of strings: any text the pattern matches in holds a string from each set."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE | re.ASCII):
        return ()  # folded literals, or an ASCII-only \b that words_of() does not share
    try:
        exact, needs = _sequence(list(sre_parse.parse(pattern.pattern, pattern.flags)))
    except Exception:  # an unfamiliar parse tree (a new Python): no gate, never a wrong one
        return ()
    if exact is not None:
        needs.append(exact)
    usable = {n for n in needs if n and not any(_empty(s) for s in n) and len(n) <= MAX_STRINGS}
    return tuple(sorted(usable, key=_selectivity, reverse=True))  # the rarest first


def _empty(required: str) -> bool:
    return not required.replace(BOUNDARY, "")


def _selectivity(need: frozenset[str]) -> tuple[int, int]:
    # Longer strings are rarer in ordinary text; fewer alternatives are cheaper to check.
    return min(len(s.replace(BOUNDARY, "")) for s in need), -len(need)


def _sequence(items: list[tuple[Any, Any]]) -> tuple[frozenset[str] | None, Needs]:
    """(every string the sequence can match, if few; what it needs either way)."""
    needs: Needs = []
    run = {""}  # the strings the current stretch of exact nodes can match
    whole = True
    for item in items:
        exact, inner = _node(item)
        if exact is not None and len(run) * len(exact) <= MAX_STRINGS:
            run = {a + b for a in run for b in exact}
            continue
        whole = False
        _flush(run, needs)
        if exact is None:
            run = {""}
            needs += inner
        elif all(_ends_word(s) for s in run):
            # Too many combinations: start afresh, but remember that a word ended just
            # before, so the first word of what follows is still known to be whole.
            run = {BOUNDARY + s for s in exact}
        else:
            run = set(exact)
    _flush(run, needs)
    return (frozenset(run) if whole else None), needs


def _ends_word(required: str) -> bool:
    return bool(required) and (required[-1] == BOUNDARY or not _WORD.match(required[-1]))


def _flush(run: set[str], needs: Needs) -> None:
    if run and not any(_empty(s) for s in run):
        needs.append(frozenset(run))


def _node(item: tuple[Any, Any]) -> tuple[frozenset[str] | None, Needs]:
    op, arg = item
    if op is sre.LITERAL:
        return frozenset({chr(arg)}), []
    if op is sre.AT:
        return frozenset({BOUNDARY if arg is sre.AT_BOUNDARY else ""}), []
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return frozenset({""}), []  # zero width; ignoring a lookaround only loosens the gate
    if op is sre.IN:
        chars = [chr(a) for o, a in arg if o is sre.LITERAL]
        if len(chars) == len(arg) <= MAX_CLASS:
            return frozenset(chars), []
        return None, []
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = arg
        if add_flags & (sre.SRE_FLAG_IGNORECASE | sre.SRE_FLAG_VERBOSE):
            return None, []
        return _sequence(list(sub))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(arg))
    if op is sre.BRANCH:
        return _branch([_sequence(list(alt)) for alt in arg[1]])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = arg
        exact, needs = _sequence(list(sub))
        if low == 0:
            if high == 1 and exact is not None:
                return exact | {""}, []  # optional
            return None, []
        if low == high == 1:
            return exact, needs
        if exact is not None:
            needs = [*needs, exact]
        return None, needs
    return None, []  # anything else (any character, categories, backreferences): no help


def _branch(
    alternatives: list[tuple[frozenset[str] | None, Needs]],
) -> tuple[frozenset[str] | None, Needs]:
    if all(exact is not None for exact, _ in alternatives):
        union = frozenset().union(*(exact for exact, _ in alternatives if exact is not None))
        if len(union) <= MAX_STRINGS:
            return union, []
    # Otherwise one requirement for the whole branch: the best one of each alternative.
    picks: list[frozenset[str]] = []
    for exact, needs in alternatives:
        options = [n for n in needs if not any(_empty(s) for s in n)]
        if exact is not None and not any(_empty(s) for s in exact):
            options.append(exact)
        if not options:
            return None, []  # an alternative with no requirement: the branch has none
        picks.append(max(options, key=_selectivity))
    return None, [frozenset().union(*picks)]
