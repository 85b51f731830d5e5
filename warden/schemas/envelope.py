"""The text a request carries outside its body: the URL path, the query string and the headers.

Each becomes a segment that DLP scans with its patterns (names of people are not searched
there). The query and path are scanned as the server reads them (percent-decoded) and, when a
finding must be replaced, rewritten only where the finding sits, so the rest of the URL keeps
its exact encoding. Header values cannot be rewritten safely (signatures, caches, the provider's
own parsing), so a finding in a header that a rule wants redacted refuses the request instead.

Not scanned: headers that frame the message or negotiate it, and the headers a client signs in
to the provider with (its API key, its cookies): they are how the provider knows who calls, and
scanning them would find the client's own key on every request.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from warden.schemas.normalized import Channel, JsonPath, Segment

__all__ = [
    "NOT_REPORTED_IN_HEADERS",
    "OWN_QUERY_CREDENTIALS",
    "UNSCANNED_HEADERS",
    "masked_target",
    "read_envelope",
    "rewrite_target",
]

UNSCANNED_HEADERS = frozenset(
    {
        # framing and negotiation
        "host",
        "content-length",
        "content-type",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "accept",
        "accept-encoding",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        # added by proxies and load balancers on the way
        "via",
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-real-ip",
        # how the client signs in to the provider (or to a gateway in front of it)
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "x-amz-security-token",
        "x-amz-date",
        "x-amz-content-sha256",
        "ocp-apim-subscription-key",
        "cf-aig-authorization",
        # OpenAI Realtime in a browser passes its key as a WebSocket subprotocol
        "sec-websocket-protocol",
    }
)


# Found by shape or a nearby word only: in headers these are the provider's own session and
# anti-bot tokens (ChatGPT's sentinel tokens, Sentry's baggage), JWTs it issued, and product
# versions. Keys in a known format, private keys and personal data are still reported.
NOT_REPORTED_IN_HEADERS = frozenset({"GENERIC_SECRET", "JWT", "IP_ADDRESS"})


# Query parameters a provider takes its own key in, with the key types it takes there: the
# client's credential to that provider, not a leak (Gemini's REST examples use ?key=AIza...,
# Azure OpenAI Realtime in a browser ?api-key=). Any other secret in them is still found.
OWN_QUERY_CREDENTIALS: dict[str, dict[str, frozenset[str]]] = {
    "gemini": {"key": frozenset({"GOOGLE_API_KEY"})},
    "openai": {"api-key": frozenset({"AZURE_KEY", "GENERIC_SECRET"})},
}


def read_envelope(
    target: str, headers: Sequence[tuple[str, str]], schema: str = ""
) -> list[Segment]:
    """Segments for the path and query of `target` ("/v1/x?a=b") and for `headers`; `schema`
    names the provider family, whose own credential parameters are then not reported."""
    path, _, query = target.partition("?")
    segments = [Segment((Channel.URL,), _decoded(path, plus_is_space=False)[0], prose=False)]
    own = OWN_QUERY_CREDENTIALS.get(schema, {})
    for index, piece in _pieces(query):
        name = _decoded(piece.partition("=")[0], plus_is_space=True)[0]
        text = _decoded(piece, plus_is_space=True)[0]
        ignore = own.get(name.lower(), frozenset())
        segments.append(Segment((Channel.QUERY, index, name), text, prose=False, ignore=ignore))
    for index, (name, value) in enumerate(headers):
        lowered = name.lower()
        if lowered not in UNSCANNED_HEADERS and value:
            # The value alone: a header's name ("...-token", "...-key") would lend every random
            # session token the provider hands its own web app the context of a secret.
            segments.append(
                Segment(
                    (Channel.HEADER, index, lowered),
                    value,
                    redactable=False,
                    prose=False,
                    ignore=NOT_REPORTED_IN_HEADERS,
                )
            )
    return [s for s in segments if s.text]


def rewrite_target(target: str, edits: dict[JsonPath, list[tuple[int, int, str]]]) -> str:
    """`target` with each edit (offsets into a URL or query segment's text) applied in place."""
    path, mark, query = target.partition("?")
    path_edits = edits.get((Channel.URL,))
    if path_edits:
        path = _rewrite(path, path_edits, plus_is_space=False)
    if query:
        pieces = query.split("&")
        by_index = {p[1]: spans for p, spans in edits.items() if p and p[0] is Channel.QUERY}
        for index, piece in _pieces(query):
            if index in by_index:
                pieces[index] = _rewrite(piece, by_index[index], plus_is_space=True)
        query = "&".join(pieces)
    return path + mark + query


def masked_target(target: str, found: Iterable[tuple[JsonPath, int, int, str]]) -> str:
    """`target` with every (path, start, end, entity type) found in its path or query masked,
    for the audit log: what was found there is never recorded, whatever the policy did."""
    edits: dict[JsonPath, list[tuple[int, int, str]]] = {}
    for path, start, end, entity in found:
        if path and path[0] in (Channel.URL, Channel.QUERY):
            edits.setdefault(path, []).append((start, end, f"[{entity}]"))
    return rewrite_target(target, edits) if edits else target


def _pieces(query: str) -> list[tuple[int, str]]:
    return [(i, piece) for i, piece in enumerate(query.split("&")) if piece]


def _rewrite(raw: str, spans: list[tuple[int, int, str]], *, plus_is_space: bool) -> str:
    _, offsets = _decoded(raw, plus_is_space=plus_is_space)
    out = raw
    limit = len(raw)
    for start, end, replacement in sorted(spans, reverse=True):  # right to left
        raw_start, raw_end = offsets[start], offsets[end]
        if raw_end > limit:
            continue
        out = out[:raw_start] + quote(replacement, safe="") + out[raw_end:]
        limit = raw_start
    return out


def _decoded(raw: str, *, plus_is_space: bool) -> tuple[str, list[int]]:
    """Percent-decode `raw` as UTF-8; offsets[i] is where decoded character i starts in `raw`
    (one extra entry for the end). Bytes that are not UTF-8 decode as surrogate escapes."""
    if "%" not in raw and not (plus_is_space and "+" in raw):
        return raw, list(range(len(raw) + 1))
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    chars: list[str] = []
    offsets: list[int] = []
    pending_start = 0
    i = 0
    while i < len(raw):
        start = i
        if raw[i] == "%" and _is_hex(raw[i + 1 : i + 3]):
            byte = bytes([int(raw[i + 1 : i + 3], 16)])
            i += 3
        else:
            char = " " if plus_is_space and raw[i] == "+" else raw[i]
            byte = char.encode("utf-8", "surrogatepass")
            i += 1
        if not decoder.getstate()[0]:
            pending_start = start  # a new character starts here
        out = decoder.decode(byte)
        for char in out:
            chars.append(char)
            offsets.append(pending_start)
            pending_start = i
    for char in decoder.decode(b"", final=True):
        chars.append(char)
        offsets.append(pending_start)
    offsets.append(len(raw))
    return "".join(chars), offsets


def _is_hex(pair: str) -> bool:
    return len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair)
