"""The provider-neutral view of one AI request that policy, DLP and the audit log work on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum

from warden.schemas.identifiers import is_plain_key

__all__ = [
    "Channel",
    "EndpointKind",
    "Inner",
    "JsonPath",
    "KeyOf",
    "NormalizedRequest",
    "Segment",
    "render_path",
]


class Channel(Enum):
    """The first step of a path to text outside the body (never equal to a JSON key)."""

    URL = "url"  # the request path: (Channel.URL,)
    QUERY = "query"  # (Channel.QUERY, index, name) or (Channel.QUERY, index, KeyOf(name))
    HEADER = "header"  # (Channel.HEADER, index, name) or (Channel.HEADER, index, KeyOf(name))


@dataclass(frozen=True, slots=True)
class KeyOf:
    """The last step of a path to an object key itself, not to the value it names."""

    name: str


@dataclass(frozen=True, slots=True)
class Inner:
    """A step into text read out of a file: a page, a sheet, an archive member."""

    name: str


# A path to a piece of text: in the JSON body, keys and list indexes, e.g. ("messages", 0,
# "content"); outside it, led by a Channel. Kept as a tuple (not a string) so that redaction
# can walk straight back to the value.
type JsonPath = tuple[str | int | KeyOf | Inner | Channel, ...]


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
    # False for text read out of a file (a PDF's pages, a UTF-16 file) or a header: DLP finds
    # what is in it, but cannot rewrite it, so a rule that redacts refuses the request instead.
    redactable: bool = True
    # False where no one writes sentences (URLs, headers, object keys): names of people are not
    # searched there, only patterns (keys, e-mail addresses, card numbers...).
    prose: bool = True
    # Entity types not reported here: headers carry the client's own session tokens and
    # versions that generic detectors would take for secrets or addresses (envelope.py).
    ignore: frozenset[str] = frozenset()

    def path_str(self) -> str:
        return render_path(self.path)


def render_path(path: JsonPath) -> str:
    """The path the way people read it: messages[0].content, query[0].api_key, a.zip{b.txt}.

    Object keys that are not plain field names are masked: a key can itself be the secret.
    """
    out = ""
    for part in path:
        if isinstance(part, Channel):
            out += part.value
        elif isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, KeyOf):
            out += f".{{key {_shown(part.name)}}}"
        elif isinstance(part, Inner):
            out += f"{{{part.name if len(part.name) <= 80 else _shown(part.name)}}}"
        else:
            out += f".{_shown(part)}"
    return out.removeprefix(".") or "$"


def _shown(name: str) -> str:
    return name if is_plain_key(name) else f"{name[:3]}...({len(name)} chars)"


@dataclass(slots=True)
class NormalizedRequest:
    """What a request asks of an AI provider, whatever its wire format."""

    provider: str  # catalog entry id, e.g. "openai", "anthropic", "chatgpt-web"
    schema: str  # the parser that read it, e.g. "openai.chat", "generic"
    endpoint: EndpointKind
    model: str | None = None
    stream: bool = False
    # The prompt: text a person or program wrote for the model (messages, system prompt, tool
    # results, text files). Policies count it, alerts read it, the audit log captures it.
    segments: list[Segment] = field(default_factory=list)
    # Every other string that leaves and is not known to be harmless: other fields and object
    # keys in the body, the URL path and query, request headers. DLP scans these too.
    other: list[Segment] = field(default_factory=list)
    body_format: str = "json"  # "json", "empty", "multipart", "file", "text"
    attachments: int = 0  # images, files, audio or documents sent along with the text
    # Files or payloads Warden could not read (binary data, an encrypted PDF), each described
    # for the person and the audit log; the policy's dlp.unreadable says what happens to them.
    unreadable: list[str] = field(default_factory=list)

    @property
    def prompt_chars(self) -> int:
        return sum(len(s.text) for s in self.segments)

    def all_segments(self) -> list[Segment]:
        """What DLP scans: the prompt and everything else that leaves."""
        return self.segments + self.other if self.other else self.segments
