"""Large pastes of source code or documents: the shape of data exfiltration.

Code-likeness is the share of non-blank lines that look like code (statements ending in
; { } or ), keywords that open definitions or imports, assignments, indentation with
brackets, comment markers). Prose scores near 0, a source file 0.5 or more.
"""

from __future__ import annotations

import re

from warden.alerts.config import DetectorSettings
from warden.alerts.detectors.context import PromptContext
from warden.alerts.severity import Severity
from warden.alerts.signal import Reason, Signal

__all__ = ["PasteDetector", "code_likeness"]

MAX_LINES = 4000
_CODE_LINE = re.compile(
    r"""(?x)
    [;{}]\s*$ | \)\s*:?\s*$ | ^\s*[}\])]
    | ^\s*(?:def|class|import|from\s+\S+\s+import|function|const|let|var|public|private|
            protected|static|package|func|fn|impl|struct|enum|interface|return|if\s*\(|
            for\s*\(|while\s*\(|switch|case\s|try|catch|except|elif|else:|\#include|\#define|
            using\s|namespace|SELECT\s|INSERT\s|UPDATE\s|CREATE\s|@\w+)
    | ^\s*(?://|/\*|\*\s|\#\s|--\s)
    | ^\s*[\w.\[\]"']+\s*(?:=|\+=|-=|:=|=>|->)\s*\S
    | ^(?:\s{4}|\t)+\S.*[(){}\[\]=]
    """
)


def code_likeness(text: str) -> tuple[float, int]:
    """(share of code-like lines, non-blank lines), over the first MAX_LINES lines."""
    lines = [line for line in text.splitlines()[:MAX_LINES] if line.strip()]
    if not lines:
        return 0.0, 0
    code = sum(1 for line in lines if _CODE_LINE.search(line))
    return code / len(lines), len(lines)


class PasteDetector:
    name = "large_paste"

    def detect(self, ctx: PromptContext, settings: DetectorSettings) -> Signal | None:
        text = ctx.user_text(max(settings.paste_text_min_chars, settings.paste_code_min_chars) * 4)
        size = len(text)
        if size < min(settings.paste_code_min_chars, settings.paste_text_min_chars):
            return None
        ratio, lines = code_likeness(text)
        metrics: dict[str, float | int | str] = {
            "chars": size,
            "lines": lines,
            "code_ratio": round(ratio, 2),
        }
        if size >= settings.paste_code_min_chars and ratio >= settings.paste_code_min_ratio:
            score = min(1.0, 0.5 + ratio / 2 + min(size / settings.paste_code_min_chars, 10) / 40)
            return Signal(
                self.name,
                min(score, 1.0),
                Severity.MEDIUM,
                (
                    Reason(
                        "source_code_paste",
                        f"{size} characters, {lines} lines, {ratio:.0%} of them code",
                    ),
                ),
                title="Large paste of source code to an AI service",
                metrics=metrics,
            )
        if size >= settings.paste_text_min_chars:
            score = min(1.0, 0.5 + size / settings.paste_text_min_chars / 10)
            return Signal(
                self.name,
                score,
                Severity.MEDIUM,
                (Reason("large_document_paste", f"{size} characters in one request"),),
                title="Large document pasted to an AI service",
                metrics=metrics,
            )
        return None
