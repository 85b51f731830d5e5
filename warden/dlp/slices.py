"""Regex searches over long texts in slices, so that no single C call holds the GIL long.

Scans run in worker threads next to the proxy's event loop. A regex search over a megabyte
is one C call of 10-20 ms, during which the loop cannot run at all. Searching 32 KB at a
time bounds each call to well under a millisecond and finds the same matches: a slice's
search may run `overlap` characters into the next slice to finish a match that starts in
it, and matches overlapping one already found are skipped, as `finditer` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["SLICE", "finditer"]

SLICE = 32 * 1024


def finditer(
    pattern: re.Pattern[str], text: str, *, overlap: int, start: int = 0, end: int | None = None
) -> Iterator[re.Match[str]]:
    """Like pattern.finditer(text, start, end) for matches no longer than `overlap`."""
    end = len(text) if end is None else end
    if end - start <= SLICE:
        yield from pattern.finditer(text, start, end)
        return
    last_end = start
    for pos in range(start, end, SLICE):
        stop = min(end, pos + SLICE)
        for match in pattern.finditer(text, max(pos, last_end), min(end, stop + overlap)):
            if match.start() >= stop:
                break
            last_end = max(match.end(), match.start() + 1)
            yield match
