"""What the audit log keeps of the prompt and the answer, per the policy's capture mode.

  none      nothing
  redacted  (default) the prompt text that actually left: the segments as forwarded, after
            any DLP redaction; nothing for a request Warden did not forward
  full      the prompt as the user wrote it, even when it was redacted or blocked

The answer text is kept in both redacted and full modes, as the provider sent it. Each is
cut at CAPTURE_LIMIT characters and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warden.schemas.normalized import Segment

__all__ = ["CAPTURE_LIMIT", "Captured", "bounded", "capture", "prompt_text"]

CAPTURE_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class Captured:
    prompt: str | None = None
    prompt_truncated: bool | None = None
    response: str | None = None
    response_truncated: bool | None = None


def bounded(text: str | None, limit: int = CAPTURE_LIMIT) -> tuple[str | None, bool | None]:
    if text is None:
        return None, None
    return (text[:limit], True) if len(text) > limit else (text, False)


def prompt_text(segments: Sequence[Segment]) -> str:
    """Segments as one text a person can read: each on its own, led by its role if known."""
    return "\n\n".join(f"[{s.role}] {s.text}" if s.role else s.text for s in segments)


def capture(
    mode: str,
    *,
    original: Sequence[Segment] | None,
    sent: Sequence[Segment] | None,
    response: str | None,
    response_truncated: bool = False,
) -> Captured:
    """`sent` is None when nothing left (blocked) or what left cannot be known."""
    if mode == "none":
        return Captured()
    chosen = original if mode == "full" else sent
    prompt, prompt_cut = bounded(prompt_text(chosen) if chosen else None)
    answer, answer_cut = bounded(response)
    if answer is not None:
        answer_cut = bool(answer_cut or response_truncated)
    return Captured(prompt, prompt_cut, answer, answer_cut)
