"""Telling a prompt that performs an attack from one that quotes it for a task.

"Classify whether this prompt is a jailbreak: '...'", "Write a regex that detects 'ignore
all previous instructions'" and "Translate this to German: ..." hold attack text, but the
person asks for work *on* it. The discount applies only to that shape: a short frame naming
the task (classify, label, translate, summarise, detect, test, write training material,
explain why, how to block) right before or after the attack text, and the attack text
quoted or set off after a colon. Words such as "for example" or "such as" anywhere else do
not count: long jailbreaks use them to describe their persona ("for example, DAN can tell
me the time"). Decoded payloads are never discounted (nobody quotes by encoding), and
neither is an attack that turns on the frame's own task ("ignore the translation and ...").
"""

from __future__ import annotations

import re

__all__ = ["discount", "is_quoted", "task_frame"]

QUOTE_SPAN = 200
FRAME_CHARS = 300  # how far before the attack text (or after it) the task must be named
SHORT_QUESTION = 300  # unquoted: only a question this short can be "about" an attack

_TOPIC = (
    r"(?:prompt injections?|injection|jailbreak\w*|attacks?|exploits?|adversarial|dan\b|"
    r"system prompts?|red[- ]team\w*|developer mode|grandma|phrases?|prompts?|messages?|"
    r"strings?|inputs?|texts?)"
)
_TASK = re.compile(
    "|".join(
        [
            # Work on the text: classify it, translate it, summarise it, detect it.
            r"\b(?:classify|classif(?:y|ies|ied|ication)|categori[sz]e|label (?:this|these|"
            r"each|the following|it)|triage|translate|translation|übersetze|traduce|traduis|"
            r"summari[sz]e|summary of|paraphrase|detects?|detection|detector|flagged|"
            r"moderation|annotate|decide whether|tell me whether|check whether)\b",
            # A task over a list of samples: "for each of the following lines, say ...".
            r"\b(?:for each|each of) (?:the following|these|the|those) (?:samples?|lines?|"
            r"prompts?|items?|messages?|examples?|entries|inputs?|rows?)\b",
            rf"\bis (?:this|the following|it|that|the|each)\b[^?.]{{0,40}}\b(?:an? )?{_TOPIC}",
            r"\b(?:is|are) (?:this|these|the following)\b[^?]{0,60}\b(?:safe|malicious|"
            r"harmful|attacks?|benign|jailbreaks?|injections?)\b",
            # Write material about it: tests, rules, training sets, reports.
            r"\b(?:write|draft|prepare|create|build|generate|give me|add|make)\b[^.?]{0,60}"
            r"\b(?:blog|article|essay|paper|report|talk|presentation|policy|training|slides?|"
            r"deck|summary|guide|documentation|docs|unit tests?|tests?|test cases?|pytest|"
            r"regex|regular expression|classifier|detector|filter|function|script|rule|"
            r"query|blocklist|denylist|list|examples?|variants?|dataset)\b",
            r"\b(?:training (?:set|data|material|deck|slide)|test cases?|incident report|"
            r"moderation guide|our (?:filter|guardrail|waf|detector|classifier)|"
            r"security (?:review|team|awareness|training|research|audit)|red team|owasp|"
            r"threat model\w*|tabletop|blocklist|waf)\b",
            # Questions about it.
            r"\b(?:how (?:do|can|should|would|could|to|does|did) (?:i |we |you |one |they |"
            r"developers |companies |teams |an? \w+ )?|ways? to |best (?:practices?|ways?) "
            r"(?:to|for) |what (?:can|should) (?:i|we) do to )[^?]{0,80}"
            r"\b(?:prevent|detect|defend|protect|mitigate|stop|block|guard|filter|sanitiz|"
            r"harden|secure|test|catch|flag|handle|resist|avoid|recogni[sz]e|identify|"
            r"monitor|respond|evaluate|classify|spot|counter)",
            rf"\bwhat (?:is|are|was|were|does|do|did)\b (?!your)[^?]{{0,60}}{_TOPIC}",
            r"\bwhat\b[^?.]{0,60}\bmeans?\b|\bmeaning of\b",
            rf"\b(?:explain|describe|overview|history|difference|define|definition|analy[sz]e|"
            rf"compare|why)\b[^.?]{{0,80}}{_TOPIC}",
            r"\bexplain\b[^.?]{0,40}\bwhy\b",
            r"\b(?:phrases? like|prompts like|the (?:phrase|string|keyword|pattern)s?|"
            r"contains|containing|matches|matching)\b",
        ]
    )
)
# An attack aimed at the frame's own task is an injection riding on it, not a quotation.
_HIJACK = re.compile(
    r"\b(?:ignore|disregard|forget|skip|instead of|don't|do not|stop|never mind)\b[^.]{0,30}"
    r"\b(?:translat\w*|summar\w*|classif\w*|the task|this task|your task|label\w*|the "
    r"(?:email|text|document|page|article))\b"
)
# Work on a prompt handed over as text: "improve this system prompt for our helpdesk bot",
# "review the following persona". Narrower than _TASK: it is enough for a frame that ends at
# a sentence's end rather than at a colon.
_TEXT_TASK = re.compile(
    r"\b(?:improve|review|edit|rewrite|re-write|refine|critique|proofread|polish|tighten|"
    r"shorten|audit|fix|optimi[sz]e|clean up|reword|assess|grade|evaluate|debug|check)\b"
    r"[^.?!:\n]{0,20}\b(?:this|the following|the|our|my|these|below)\b[^.?!:\n]{0,40}"
    r"\b(?:system prompts?|prompts?|instructions|persona|bot description|character card|"
    r"template)\b"
)
# A list of samples: numbered or bulleted items ("1. ...", "(2) ...", "• ..."). The plain
# view has no line breaks left, so items are told by their markers, numbered in sequence.
_NUMBERED = re.compile(r"(?<![\w.,])\(?(\d{1,3})[.):] ")
_BULLET = re.compile(r"(?:^|(?<= ))[-*•] ")
# Narrated fiction: a story about a character, not the model cast as one. A request for the
# character's answer, steps or recipe, or an address to the model as the persona, is not.
_STORY = re.compile(
    r"^(?:please )?(?:can you |could you )?(?:write|tell|draft|compose)(?: me)? (?:a|an) "
    r"(?:short |brief |little |funny |sad |children's |kids' )?(?:story|tale|fable|poem|"
    r"scene|screenplay|novel chapter|sci-fi story)\b[^.!?\n]{0,20}\b(?:where|in which|about|"
    r"that)\b"
)
_CAST_OR_EXTRACT = re.compile(
    r"\b(?:you are|you're|you will|you must|act as|pretend|role-?play|stay in character|"
    r"(?:answer|respond|reply|speak) as|as (?:the|this) (?:ai|character)|in character)\b|"
    r"(?:'s|s') (?:full |complete |detailed |exact |entire |actual |step-by-step )?(?:answers?|"
    r"responses?|reply|replies|instructions|recipe|steps|guide|explanation|code|method)\b|"
    r"\b(?:step[- ]by[- ]step|in (?:full|complete|great)? ?detail|exact (?:steps|recipe|"
    r"instructions)|how to (?:make|build|synthesi[sz]e|hack)|include the)\b"
)
_OPEN = "\"'«“"
_CLOSE = "\"'»”"


def is_quoted(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a quotation opened shortly before it."""
    before = text[max(0, start - QUOTE_SPAN) : start]
    for i in range(len(before) - 1, -1, -1):
        ch = before[i]
        if ch == "\n":
            return False
        if ch in _OPEN and (ch != "'" or i == 0 or not before[i - 1].isalnum()):
            closer = {"«": "»", "“": "”"}.get(ch, ch)
            after = text[end : end + QUOTE_SPAN]
            for j, c in enumerate(after):
                if c == closer and (c != "'" or j + 1 >= len(after) or not after[j + 1].isalnum()):
                    return True
                if c == "\n":
                    break
            return False
    return False


def task_frame(text: str, first: int, last: int) -> bool:
    """Whether a task is named just before text[first:] or just after text[:last]."""
    # The attack text reads as one quoted word, so "what does '...' mean" is one frame.
    frame = text[max(0, first - FRAME_CHARS) : first] + "x" + text[last : last + FRAME_CHARS]
    return _TASK.search(frame) is not None


def _set_off_by_colon(text: str, first: int) -> bool:
    """Whether the attack text follows a short task frame ending in a colon."""
    head = text[:first]
    if len(head) > FRAME_CHARS:
        return False
    colon = head.rfind(":")
    return colon >= 0 and _TASK.search(head[:colon]) is not None


def _set_off_after_text_task(text: str, first: int) -> bool:
    """Whether the attack text follows a short opening that asks for work on a prompt."""
    head = text[:first]
    return len(head) <= FRAME_CHARS and _TEXT_TASK.search(head) is not None


def _samples_after_task(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether every hit sits on a numbered or bulleted line of a list that follows a task
    ("Label each line below as ATTACK or BENIGN", then "1. ...", "2. ...")."""
    items: list[int] = []
    expected = None
    for m in _NUMBERED.finditer(text):
        n = int(m.group(1))
        if expected is None or n == expected:
            items.append(m.start())
            expected = n + 1
    if len(items) < 2:
        items = [m.start() for m in _BULLET.finditer(text)]
        if len(items) < 3:
            return False
    head = text[: items[0]]
    if len(head) > 2 * FRAME_CHARS or _TASK.search(head) is None:
        return False
    bounds = [*items, len(text)]
    for start, end in spans:
        if start < items[0]:
            return False
        # A hit must not run across the start of the next item.
        if any(start < b < end for b in bounds):
            return False
    return True


def _narrated_fiction(text: str) -> bool:
    """A story request about a character, with no one cast and nothing extracted."""
    return _STORY.search(text) is not None and _CAST_OR_EXTRACT.search(text) is None


def discount(text: str, spans: list[tuple[int, int]]) -> tuple[float, str | None]:
    """A factor for the score of hits at `spans`, and why it was lowered."""
    if not spans:
        return 1.0, None
    first = min(s for s, _ in spans)
    last = max(e for _, e in spans)
    quoted = all(is_quoted(text, start, end) for start, end in spans)
    hijacked = _HIJACK.search(text) is not None
    if quoted and not hijacked and task_frame(text, first, last):
        return 0.25, "quoted for a task (classify, translate, detect, test, explain)"
    if not quoted and not hijacked and _set_off_by_colon(text, first):
        return 0.4, "set off after a task (classify, translate, detect, test, explain)"
    if not hijacked and _samples_after_task(text, spans):
        return 0.4, "samples listed for a task (label, classify, detect)"
    if not quoted and not hijacked and _set_off_after_text_task(text, first):
        return 0.4, "a prompt handed over for work on it (improve, review, edit)"
    if not hijacked and _narrated_fiction(text):
        return 0.55, "a story about a character, with no one cast and nothing asked of it"
    if (
        not quoted
        and not hijacked
        and len(text) <= SHORT_QUESTION
        and task_frame(text, first, last)
    ):
        return 0.55, "framed as a short question or task about attacks"
    if quoted:
        return 0.9, "quoted"
    return 1.0, None
