"""Any AI API without a dedicated parser: every string in the body counts."""

from __future__ import annotations

from warden.schemas.normalized import EndpointKind as Kind
from warden.schemas.routing import Route

__all__ = ["route"]

# First match wins: "embed" before "chat" and "complet" ("chat/completions" is chat).
_HINTS = [
    (("embed",), Kind.EMBEDDING),
    (("chat",), Kind.CHAT),
    (("complet",), Kind.COMPLETION),
    (("image",), Kind.IMAGE),
    (("audio", "speech", "transcri"), Kind.AUDIO),
]


def route(path: str, query: str) -> Route:
    """Guess the endpoint from words in the path; read the body by walking it."""
    lowered = path.lower()
    for words, kind in _HINTS:
        if any(word in lowered for word in words):
            return Route("generic", kind)
    return Route("generic", Kind.OTHER)
