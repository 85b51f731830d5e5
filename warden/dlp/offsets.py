"""Map offsets in a rewritten text back to the text it was rewritten from.

Normalization deletes, replaces and decodes characters before scanning; a finding in the
scanned text must still redact the right characters of what the person sent. An OffsetMap
records only the edited regions, so an untouched text costs nothing and a long text with a
few edits maps in O(log edits).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

__all__ = ["IDENTITY", "Edit", "OffsetMap"]

# (new_start, new_end, old_start, old_end): new[new_start:new_end] came from old[old_start:old_end]
type Edit = tuple[int, int, int, int]


class OffsetMap:
    """Offsets in a new text -> offsets in the old text, from the regions that were edited.

    A span that starts or ends inside an edited region is widened to the whole region in the
    old text: replacing a little more than the secret is safe, replacing less is not.
    """

    __slots__ = ("_edits", "_new_starts")

    def __init__(self, edits: Iterable[Edit] = ()) -> None:
        # Sorted by position; a deletion and a replacement may share a start, and the lookups
        # below then pick the replacement for a span's start and the deletion for its end.
        self._edits: Sequence[Edit] = sorted(edits)
        self._new_starts = [e[0] for e in self._edits]

    def __bool__(self) -> bool:
        return bool(self._edits)

    def __repr__(self) -> str:
        return f"<OffsetMap {len(self._edits)} edits>"

    def start(self, pos: int) -> int:
        """The old offset where a span starting at new offset `pos` starts."""
        i = bisect_right(self._new_starts, pos) - 1
        if i < 0:
            return pos
        _, new_end, old_start, old_end = self._edits[i]
        if pos < new_end:
            return old_start
        return old_end + (pos - new_end)

    def end(self, pos: int) -> int:
        """The old offset where a span ending at new offset `pos` ends."""
        i = bisect_left(self._new_starts, pos) - 1
        if i < 0:
            return pos
        _, new_end, _, old_end = self._edits[i]
        if pos <= new_end:
            return old_end
        return old_end + (pos - new_end)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), max(self.start(start), self.end(end))

    def then(self, inner: OffsetMap) -> ChainedMap:
        """A map for a text rewritten again: `inner` maps the newest text to this map's new text."""
        return ChainedMap((inner, self))


class ChainedMap:
    """Several rewrites in a row: maps the newest text back through each to the original."""

    __slots__ = ("_maps",)

    def __init__(self, maps: Sequence[OffsetMap | ChainedMap]) -> None:
        self._maps = tuple(m for m in maps if m)

    def __bool__(self) -> bool:
        return bool(self._maps)

    def start(self, pos: int) -> int:
        for m in self._maps:
            pos = m.start(pos)
        return pos

    def end(self, pos: int) -> int:
        for m in self._maps:
            pos = m.end(pos)
        return pos

    def span(self, start: int, end: int) -> tuple[int, int]:
        s = self.start(start)
        return s, max(s, self.end(end))

    def then(self, inner: OffsetMap) -> ChainedMap:
        return ChainedMap((inner, *self._maps))


IDENTITY = OffsetMap()
