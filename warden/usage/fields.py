"""Read usage fields and answer text out of the providers' JSON, whole or one event at a time.

Recognised by shape rather than by host, because dozens of providers and gateways speak
one of these dialects:

  OpenAI & compatible  usage.prompt_tokens / completion_tokens (+ prompt_tokens_details.
                       cached_tokens; DeepSeek's prompt_cache_hit_tokens); Responses API
                       usage.input_tokens / output_tokens (+ input_tokens_details)
  Anthropic            usage.input_tokens / output_tokens + cache_read_input_tokens +
                       cache_creation_input_tokens; streamed: message_start, message_delta
  Gemini / Vertex      usageMetadata.promptTokenCount / candidatesTokenCount +
                       thoughtsTokenCount, cachedContentTokenCount; running totals
  Bedrock              Converse usage.inputTokens / outputTokens (+ cacheRead/Write);
                       InvokeModel streams' amazon-bedrock-invocationMetrics
  Cohere               v2 usage.billed_units; v1 meta.billed_units; stream-end / message-end

Token conventions, whatever the dialect: input counts every prompt token including cached
ones, cached counts those read from the provider's cache, output includes reasoning tokens.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Observed", "TextBuffer", "read_message"]


class TextBuffer:
    """The answer's text as it arrives, kept up to `limit` characters; the rest only counted."""

    def __init__(self, limit: int) -> None:
        self._parts: list[str] = []
        self._kept = 0
        self.total_chars = 0
        self._limit = limit

    def add(self, text: str) -> None:
        self.total_chars += len(text)
        room = self._limit - self._kept
        if room > 0:
            piece = text[:room]
            self._parts.append(piece)
            self._kept += len(piece)

    def replace(self, text: str) -> None:
        """For formats that resend the whole text so far (the ChatGPT web app)."""
        self._parts, self._kept, self.total_chars = [], 0, 0
        self.add(text)

    @property
    def truncated(self) -> bool:
        return self.total_chars > self._kept

    def text(self) -> str:
        return "".join(self._parts)


@dataclass(slots=True)
class Observed:
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    # A usage report that covers the whole answer was seen (not just Anthropic's opening
    # message_start, which has the input count only).
    final: bool = False
    model: str | None = None
    text: TextBuffer = field(default_factory=lambda: TextBuffer(1 << 20))

    def set_usage(
        self,
        input_tokens: int | None,
        output_tokens: int | None,
        cached_tokens: int | None = None,
        *,
        final: bool = True,
    ) -> None:
        # Later reports overwrite earlier ones field by field: streams send running totals.
        if input_tokens is not None:
            self.input_tokens = input_tokens
        if output_tokens is not None:
            self.output_tokens = output_tokens
        if cached_tokens is not None:
            self.cached_tokens = cached_tokens
        self.final = self.final or final


def read_message(obj: Any, seen: Observed, event: str | None = None) -> None:
    """Take what there is from one JSON document or stream event."""
    if isinstance(obj, list):  # Gemini without alt=sse streams one JSON array
        for item in obj:
            read_message(item, seen, event)
        return
    if not isinstance(obj, dict):
        return
    kind = obj.get("type") if isinstance(obj.get("type"), str) else event
    _model(obj, seen)
    if kind == "message_start":
        _anthropic_start(obj, seen)
        return
    if kind in ("response.completed", "response.incomplete", "response.failed"):
        _usage(_dict(obj.get("response")), seen)  # its text already came as deltas
        _model(_dict(obj.get("response")), seen)
        return
    if obj.get("event_type") == "stream-end":  # Cohere v1: text already streamed
        _cohere_meta(_dict(_dict(obj.get("response")).get("meta")), seen)
        return
    _usage(obj, seen)
    _gemini_usage(obj, seen)
    _cohere_meta(_dict(obj.get("meta")), seen)
    _bedrock_metrics(obj, seen)
    if isinstance(obj.get("bytes"), str):  # Bedrock InvokeModel stream chunk: native JSON
        _bedrock_chunk(obj["bytes"], seen)
    _text(obj, kind, seen)


def _usage(obj: dict[str, Any], seen: Observed) -> None:
    usage = obj.get("usage")
    if not isinstance(usage, dict):
        delta = _dict(obj.get("delta"))  # Cohere v2 message-end
        usage = delta.get("usage") if isinstance(delta.get("usage"), dict) else None
        if usage is None:
            return
    if "prompt_tokens" in usage or "completion_tokens" in usage:
        cached = _int(_dict(usage.get("prompt_tokens_details")).get("cached_tokens"))
        if cached is None:
            cached = _int(usage.get("prompt_cache_hit_tokens"))  # DeepSeek
        seen.set_usage(
            _int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens")) or 0, cached
        )
    elif "billed_units" in usage:  # Cohere v2
        billed = _dict(usage["billed_units"])
        seen.set_usage(_int(billed.get("input_tokens")), _int(billed.get("output_tokens")))
    elif "inputTokens" in usage or "outputTokens" in usage:  # Bedrock Converse
        read = _int(usage.get("cacheReadInputTokens")) or 0
        write = _int(usage.get("cacheWriteInputTokens")) or 0
        base = _int(usage.get("inputTokens"))
        seen.set_usage(
            None if base is None else base + read + write,
            _int(usage.get("outputTokens")),
            read if read else None,
        )
    elif "input_tokens" in usage or "output_tokens" in usage:
        if "input_tokens_details" in usage or "output_tokens_details" in usage:
            # OpenAI Responses: input_tokens already includes the cached ones.
            cached = _int(_dict(usage.get("input_tokens_details")).get("cached_tokens"))
            seen.set_usage(
                _int(usage.get("input_tokens")), _int(usage.get("output_tokens")), cached
            )
        else:
            _anthropic_usage(usage, seen, final=True)


def _anthropic_usage(usage: dict[str, Any], seen: Observed, *, final: bool) -> None:
    # Anthropic's input_tokens leaves out cache reads and writes; ours counts every token.
    read = _int(usage.get("cache_read_input_tokens"))
    write = _int(usage.get("cache_creation_input_tokens")) or 0
    base = _int(usage.get("input_tokens"))
    total = None if base is None else base + (read or 0) + write
    output = _int(usage.get("output_tokens")) if final else None
    seen.set_usage(total, output, read, final=final)


def _anthropic_start(obj: dict[str, Any], seen: Observed) -> None:
    message = _dict(obj.get("message"))
    _model(message, seen)
    usage = message.get("usage")
    if isinstance(usage, dict):
        _anthropic_usage(usage, seen, final=False)


def _gemini_usage(obj: dict[str, Any], seen: Observed) -> None:
    meta = obj.get("usageMetadata")
    if not isinstance(meta, dict):
        return
    candidates = _int(meta.get("candidatesTokenCount"))
    thoughts = _int(meta.get("thoughtsTokenCount")) or 0
    output = None if candidates is None and not thoughts else (candidates or 0) + thoughts
    seen.set_usage(
        _int(meta.get("promptTokenCount")), output, _int(meta.get("cachedContentTokenCount"))
    )


def _cohere_meta(meta: dict[str, Any], seen: Observed) -> None:
    billed = meta.get("billed_units")
    if isinstance(billed, dict):
        seen.set_usage(_int(billed.get("input_tokens")), _int(billed.get("output_tokens")) or 0)


def _bedrock_metrics(obj: dict[str, Any], seen: Observed) -> None:
    metrics = obj.get("amazon-bedrock-invocationMetrics")
    if isinstance(metrics, dict):
        seen.set_usage(_int(metrics.get("inputTokenCount")), _int(metrics.get("outputTokenCount")))


def _bedrock_chunk(encoded: str, seen: Observed) -> None:
    try:
        inner = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        return
    read_message(inner, seen)


def _text(obj: dict[str, Any], kind: str | None, seen: Observed) -> None:
    # Each format is looked at only if its top-level key is there: this runs on every answer
    # and every stream event, and most keys are absent from any one format.
    add = seen.text.add
    choices = obj.get("choices")
    if choices:
        for _, choice in _dicts(choices):  # OpenAI chat and completions
            for part in (_dict(choice.get("message")), _dict(choice.get("delta"))):
                _content(part.get("content"), add)
                for _, call in _dicts(part.get("tool_calls")):
                    _str(_dict(call.get("function")).get("arguments"), add)
            _str(choice.get("text"), add)
    if kind == "response.output_text.delta":  # OpenAI Responses stream
        _str(obj.get("delta"), add)
    output = obj.get("output")
    if isinstance(output, list):  # OpenAI Responses
        for _, item in _dicts(output):
            _content(item.get("content"), add)
    elif isinstance(output, dict):  # Bedrock Converse
        _content(_dict(output.get("message")).get("content"), add)
    if kind in ("message", None) and isinstance(obj.get("content"), list):  # Anthropic
        _content(obj["content"], add)
    delta = obj.get("delta")
    if isinstance(delta, dict):  # Anthropic content_block_delta, Bedrock stream delta
        _str(delta.get("text"), add)
        _str(_dict(_dict(_dict(delta.get("message")).get("content"))).get("text"), add)  # Cohere
    message = obj.get("message")
    if isinstance(message, dict) and isinstance(message.get("content"), list):  # Cohere v2
        _content(message["content"], add)
    candidates = obj.get("candidates")
    if candidates:
        for _, candidate in _dicts(candidates):  # Gemini
            for _, part in _dicts(_dict(candidate.get("content")).get("parts")):
                if not part.get("thought"):
                    _str(part.get("text"), add)
    if obj.get("event_type") == "text-generation" or (
        "generation_id" in obj and "event_type" not in obj
    ):  # Cohere v1
        _str(obj.get("text"), add)
    if isinstance(message, dict):  # ChatGPT web app: the whole text so far
        content = _dict(message.get("content"))
        if _dict(message.get("author")).get("role") == "assistant" and isinstance(
            content.get("parts"), list
        ):
            seen.text.replace("".join(p for p in content["parts"] if isinstance(p, str)))


def _content(value: Any, add: Any) -> None:
    if isinstance(value, str):
        add(value)
        return
    for _, part in _dicts(value):
        if part.get("type") in (None, "text", "output_text"):
            _str(part.get("text"), add)


def _model(obj: dict[str, Any], seen: Observed) -> None:
    for key in ("model", "modelVersion"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            seen.model = value
            return


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _str(value: Any, add: Any) -> None:
    if isinstance(value, str) and value:
        add(value)


# More tokens than any model answers in one request: a count past it is not believed. The
# numbers come from whoever answers (a self-hosted endpoint, a gateway), and they feed quotas
# and budgets: a negative count would hand quota back, a huge one would use up a team's.
MAX_TOKENS_PER_ANSWER = 10_000_000


def _int(value: Any) -> int | None:
    """A token count as the answer states it; None when it is not a plausible count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_TOKENS_PER_ANSWER:
        return value
    return None
