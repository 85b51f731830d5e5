"""The provider-neutral view of one AI request that policy, DLP and the audit log work on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["EndpointKind", "JsonPath", "NormalizedRequest", "Segment"]

# A path into the parsed JSON body: keys and list indexes, e.g. ("messages", 0, "content").
# Kept as a tuple (not a string) so that redaction can walk straight back to the value.
type JsonPath = tuple[str | int, ...]


class EndpointKind(StrEnum):
    CHAT = "chat"
    COMPLETION = "completion"
    EMBEDDING = "embedding"
    IMAGE = "image"
    AUDIO = "audio"
    FILE_UPLOAD = "file_upload"
    REALTIME = "realtime"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of user-controlled text and where it sits in the body."""

    path: JsonPath
    text: str
    role: str | None = None  # "user", "system", "assistant", "tool" where the schema says

    def path_str(self) -> str:
        """Render the path the way people read JSON paths: messages[0].content."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "$"


@dataclass(slots=True)
class NormalizedRequest:
    """What a request asks of an AI provider, whatever its wire format."""

    provider: str  # catalog entry id, e.g. "openai", "anthropic", "chatgpt-web"
    schema: str  # the parser that read it, e.g. "openai.chat", "generic"
    endpoint: EndpointKind
    model: str | None = None
    stream: bool = False
    segments: list[Segment] = field(default_factory=list)
    body_format: str = "json"  # "json", "empty", "multipart", "binary", "text"
    attachments: int = 0  # images, files, audio or documents sent along with the text

    @property
    def prompt_chars(self) -> int:
        return sum(len(s.text) for s in self.segments)
