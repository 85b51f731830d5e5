"""What the scanner already found in texts it has seen, so a repeated text is not scanned again.

Chat clients send the whole conversation with every turn, and agents send the same system
prompt and tool definitions with every call: without this, a 20-turn chat scans its first
message 20 times. Entries are keyed by a keyed hash of the text (the key is random per
process, so the keys say nothing about the text outside it) and hold only Findings, which
never hold a value (types.py). A memo belongs to one Scanner, so a change to the DLP
settings, which builds a new Scanner, starts from an empty memo.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

from warden.dlp.types import Finding

__all__ = ["DEFAULT_CAPACITY", "ScanMemo", "Scanned"]

DEFAULT_CAPACITY = 10_000  # texts; each entry is a few hundred bytes unless it has findings
# A text with more findings than this (a pasted customer list) is scanned again each time
# rather than held: the memo stays small whatever is pasted.
MAX_FINDINGS_HELD = 256


@dataclass(frozen=True, slots=True)
class Scanned:
    """One text's scan outcome, its findings without a JSON path."""

    findings: tuple[Finding, ...]
    notes: frozenset[str]


class ScanMemo:
    """A bounded, thread-safe map from text to Scanned; least recently used entries go first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._key = os.urandom(32)
        self._entries: OrderedDict[bytes, Scanned] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def key(self, text: str, *, prose: bool = True) -> bytes:
        """The memo key of `text`; scanned as prose (names searched) or not, it differs."""
        # surrogatepass: JSON may carry lone surrogates (\ud800), which strict UTF-8 refuses.
        data = text.encode("utf-8", "surrogatepass")
        person = b"" if prose else b"patterns-only"
        return hashlib.blake2b(data, key=self._key, digest_size=16, person=person).digest()

    def get(self, key: bytes) -> Scanned | None:
        with self._lock:
            scanned = self._entries.get(key)
            if scanned is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return scanned

    def put(self, key: bytes, scanned: Scanned) -> None:
        if self.capacity <= 0 or len(scanned.findings) > MAX_FINDINGS_HELD:
            return
        with self._lock:
            self._entries[key] = scanned
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
