"""Host patterns as the catalog writes them, and the host names they are matched against.

A pattern is an exact host (``api.openai.com``) or holds one ``*`` in one of three places:

    *.openai.azure.com            SUBDOMAINS    any subdomain, at any depth, never the bare domain
    *-aiplatform.googleapis.com   IN_LABEL      part of the leftmost label; never crosses a dot
    bedrock-runtime.*.amazonaws.com  MIDDLE_LABEL  exactly one whole label in the middle

Anything else (two stars, a star in the top two labels, a star inside a middle label) is refused,
because such a pattern is either too broad to be safe or has no PAC equivalent that means the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["HostPattern", "PatternKind", "normalize_host", "parse_host_pattern"]

# What one DNS label may hold once lower-cased. Underscore is not valid in host names but does
# occur in real service names, so it is accepted rather than making such hosts unmatchable.
_LABEL_CHARS = "[a-z0-9_-]"
_PATTERN_CHARS = re.compile(r"[a-z0-9_.*-]+")
_MAX_LABEL = 63
_MAX_HOST = 253


class PatternKind(StrEnum):
    EXACT = "exact"
    SUBDOMAINS = "subdomains"
    IN_LABEL = "in_label"
    MIDDLE_LABEL = "middle_label"


@dataclass(frozen=True, slots=True)
class HostPattern:
    """One validated host pattern and the regex (unanchored body) that matches it."""

    text: str
    kind: PatternKind
    regex: str
    # How many labels the pattern has. A matching host has exactly as many, except under
    # SUBDOMAINS, where it has more.
    labels: int

    @property
    def literal_length(self) -> int:
        """How much of the pattern is fixed text: the more, the more specific the pattern."""
        return len(self.text.replace("*", ""))

    @property
    def suffix(self) -> str:
        """For SUBDOMAINS, the dotted suffix a host must end with, e.g. ``.openai.azure.com``."""
        return self.text[1:] if self.kind is PatternKind.SUBDOMAINS else ""


def parse_host_pattern(raw: str) -> HostPattern:
    """Validate one catalog host pattern; raise ValueError saying what is wrong with it."""
    text = raw.strip().lower()
    if not text:
        raise ValueError("host pattern is empty")
    if not _PATTERN_CHARS.fullmatch(text):
        raise ValueError(
            f"host pattern {raw!r} may hold only letters, digits, '-', '_', '.' and one '*'"
        )
    if len(text) > _MAX_HOST:
        raise ValueError(f"host pattern {raw!r} is longer than {_MAX_HOST} characters")
    labels = text.split(".")
    if any(not label for label in labels):
        raise ValueError(f"host pattern {raw!r} has an empty label (leading, trailing or '..')")
    if any(len(label) > _MAX_LABEL for label in labels):
        raise ValueError(f"host pattern {raw!r} has a label longer than {_MAX_LABEL} characters")

    stars = text.count("*")
    if stars == 0:
        return HostPattern(text, PatternKind.EXACT, re.escape(text), len(labels))
    if stars > 1:
        raise ValueError(f"host pattern {raw!r} has more than one '*'")

    at = next(i for i, label in enumerate(labels) if "*" in label)
    # At least two fixed labels must follow the wildcard so that no pattern can cover a whole
    # top-level domain (``*.com``) and route or intercept half the internet.
    if at > len(labels) - 3:
        raise ValueError(
            f"host pattern {raw!r} is too broad: '*' needs at least two fixed labels after it"
        )
    rest = r"\." + re.escape(".".join(labels[at + 1 :]))
    label = labels[at]
    if at == 0 and label == "*":
        kind = PatternKind.SUBDOMAINS
        regex = rf"(?:{_LABEL_CHARS}+\.)+" + rest[2:]
    elif at == 0:
        kind = PatternKind.IN_LABEL
        before, _, after = label.partition("*")
        regex = re.escape(before) + f"{_LABEL_CHARS}*" + re.escape(after) + rest
    elif label == "*":
        kind = PatternKind.MIDDLE_LABEL
        head = re.escape(".".join(labels[:at]))
        regex = head + rf"\.{_LABEL_CHARS}+" + rest
    else:
        raise ValueError(
            f"host pattern {raw!r}: '*' inside a label is only allowed in the leftmost label"
        )
    return HostPattern(text, kind, regex, len(labels))


def normalize_host(host: str) -> str:
    """Reduce a Host header, SNI or CONNECT target to the bare lower-case name the catalog uses.

    Drops any ``:port`` and the trailing dot of a fully-qualified name. A bracketed IPv6 literal
    comes back without brackets; it will not match any catalog pattern, which is intended.
    """
    name = host.strip().lower()
    if name.startswith("["):
        end = name.find("]")
        return name[1:end] if end > 0 else name
    if name.count(":") == 1:  # more than one colon is a bare IPv6 literal, which has no port
        name = name.partition(":")[0]
    return name.rstrip(".")
