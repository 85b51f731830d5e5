"""Count attachments (images, files, audio, documents) in a request, whatever its schema."""

from __future__ import annotations

from typing import Any

__all__ = ["count_json_attachments", "may_hold_attachments"]

# Content-part "type" values that carry something other than typed text.
_ATTACHMENT_TYPES = frozenset(
    {
        "image_url",  # OpenAI chat
        "input_image",  # OpenAI Responses
        "input_file",
        "input_audio",
        "file",
        "image",  # Anthropic
        "document",
        "audio",
    }
)
# Keys whose presence is itself an attachment (Gemini, ChatGPT web, Bedrock Converse).
_ATTACHMENT_KEYS = frozenset(
    {"inlineData", "inline_data", "fileData", "file_data", "attachments", "document", "image"}
)
_MAX_DEPTH = 64
# Every name above contains one of these. A body holding none of them (and no \u escape that
# could spell one) has no attachment, and the walk below is skipped: most prompts are text.
_HINTS = (b"image", b"file", b"audio", b"document", b"inlineData", b"inline_data", b"attachments")


def may_hold_attachments(body: bytes) -> bool:
    return b"\\u" in body or any(hint in body for hint in _HINTS)


def count_json_attachments(doc: Any) -> int:
    count = 0
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(node, dict):
            kind = node.get("type")
            if isinstance(kind, str) and kind in _ATTACHMENT_TYPES:
                count += 1
                continue
            for key, value in node.items():
                if key in _ATTACHMENT_KEYS and value:
                    count += len(value) if key == "attachments" and isinstance(value, list) else 1
                    continue
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node if isinstance(item, dict | list))
    return count
