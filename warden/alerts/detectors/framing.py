"""Telling a prompt that performs an attack from one that talks about attacks.

"How do I stop users typing 'ignore previous instructions'?" holds the attack phrase but
asks about defending against it. Two clues lower a phrase hit's weight: a framing that
discusses attacks (preventing, detecting, explaining, testing, writing about them) and the
phrase sitting inside quotes. Framing alone only halves a hit, because a real attack can
begin with "explain": an attack has to be quoted *and* framed as discussion to be let go.
Decoded payloads (base64 and the like) are never discounted: nobody quotes by encoding.
"""

from __future__ import annotations

import re

__all__ = ["discount", "is_discussion", "is_quoted"]

_TOPIC = (
    r"(?:prompt injections?|injection|jailbreak\w*|attacks?|exploits?|adversarial|dan\b|"
    r"system prompts?|red[- ]team\w*|developer mode|grandma|phrases?|prompts)"
)
_DISCUSSION = re.compile(
    "|".join(
        [
            r"\b(?:how (?:do|can|should|would|could|to|does|did) (?:i |we |you |one |they |"
            r"developers |companies |teams |an? \w+ )?|ways? to |best (?:practices?|ways?) "
            r"(?:to|for) |tips (?:for|to) |what (?:can|should) (?:i|we) do to )[^?]{0,80}"
            r"\b(?:prevent|detect|defend|protect|mitigate|stop|block|guard|filter|sanitiz|"
            r"harden|secure|test|catch|flag|handle|resist|avoid|recogni[sz]e|identify|"
            r"monitor|respond|evaluate|classify|spot|counter)",
            rf"\bwhat (?:is|are|was|were|does|do|did)\b (?!your)[^?]{{0,60}}{_TOPIC}",
            r"\bwhat\b[^?.]{0,60}\bmeans?\b|\bmeaning of\b",
            rf"\b(?:explain|describe|summari[sz]e|overview|history|difference|define|"
            rf"definition|analy[sz]e|compare)\b[^.?]{{0,80}}{_TOPIC}",
            r"\b(?:write|draft|prepare|create|build|generate|give me|add)\b[^.?]{0,60}\b(?:blog|"
            r"article|essay|paper|report|talk|presentation|policy|training|slides|summary|guide|"
            r"documentation|docs|unit tests?|tests? cases?|tests? for|regex|regular expression|"
            r"classifier|detector|filter|function|script|rule|blocklist|denylist|list)\b",
            r"\b(?:for example|for instance|e\.g\.|such as|like the (?:phrase|string|text)|the "
            r"(?:phrase|string|keyword|pattern)s?|contains|containing|matches|matching|"
            r"phrases like|prompts like)\b",
            r"\b(?:red team|security (?:review|team|awareness|training|research|audit)|"
            r"researchers?|owasp|threat model\w*|tabletop|vulnerab\w*|blocklist|waf|"
            r"guardrails? (?:for|in) (?:my|our)|our (?:chatbot|bot|assistant|app|llm|model)|"
            r"my (?:chatbot|bot|assistant|app|llm|model))\b",
        ]
    )
)
_OPEN = "\"'«"
_CLOSE = "\"'»"
QUOTE_SPAN = 200


def is_discussion(text: str) -> bool:
    return _DISCUSSION.search(text) is not None


def is_quoted(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a quotation opened shortly before it."""
    before = text[max(0, start - QUOTE_SPAN) : start]
    for i in range(len(before) - 1, -1, -1):
        ch = before[i]
        if ch in "\n":
            return False
        if ch in _OPEN and (ch != "'" or i == 0 or not before[i - 1].isalnum()):
            closer = "»" if ch == "«" else ch
            after = text[end : end + QUOTE_SPAN]
            for j, c in enumerate(after):
                if c == closer and (c != "'" or j + 1 >= len(after) or not after[j + 1].isalnum()):
                    return True
                if c == "\n":
                    break
            return False
    return False


def discount(text: str, spans: list[tuple[int, int]]) -> tuple[float, str | None]:
    """A factor for the score of phrase hits at `spans`, and why it was lowered."""
    if not spans:
        return 1.0, None
    discussion = is_discussion(text)
    quoted = all(is_quoted(text, start, end) for start, end in spans)
    if discussion and quoted:
        return 0.25, "quoted in a question or text about attacks"
    if discussion:
        return 0.55, "framed as a question or text about attacks"
    if quoted:
        return 0.9, "quoted"
    return 1.0, None
