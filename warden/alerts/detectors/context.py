"""What prompt detectors look at: the request's text segments, DLP findings and the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from warden.catalog import CatalogEntry, Sanction
from warden.dlp.types import Finding
from warden.schemas.normalized import Segment

__all__ = ["USER_ROLES", "PromptContext"]

# Text the person (or a tool result they pulled in) controls. System prompts are the app's
# own and routinely say "never reveal these instructions"; assistant turns are the model's.
USER_ROLES = frozenset({None, "user", "tool", "function", "human"})


@dataclass(frozen=True, slots=True)
class PromptContext:
    segments: tuple[Segment, ...]
    # None when DLP did not run for this request (not installed, disabled): detectors that
    # need findings report nothing rather than guess.
    findings: tuple[Finding, ...] | None = None
    app: CatalogEntry | None = None
    sanctioned: Sanction | None = None  # after the policy's overrides
    # Work several detectors share (the plain view, its phrase scores), done once.
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo[T](self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    def user_text(self, max_chars: int) -> str:
        """User-controlled text, newest last, cut to the last `max_chars` characters."""
        parts = [s.text for s in self.segments if s.role in USER_ROLES and s.text]
        text = "\n".join(parts)
        return text[-max_chars:] if len(text) > max_chars else text
