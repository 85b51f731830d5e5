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
import functools
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from warden.dlp.entities import PII_ENTITIES, SECRET_ENTITIES
from warden.schemas.identifiers import is_plain_key
from warden.schemas.normalized import Channel, JsonPath, KeyOf, Segment

__all__ = [
    "CREDENTIAL_HEADERS",
    "CREDENTIAL_PARAMS",
    "NOT_REPORTED_IN_HEADERS",
    "OWN_QUERY_CREDENTIALS",
    "UNSCANNED_HEADERS",
    "masked_target",
    "read_envelope",
    "read_form_urlencoded",
    "rewrite_form_urlencoded",
    "rewrite_target",
]

# The request's framing, which the HTTP parser itself checks (a Host is a host name, a
# Content-Length digits): nothing else can travel in them.
UNSCANNED_HEADERS = frozenset({"host", "content-length"})

# How a client signs in to the provider (or a gateway in front of it). Session tokens, JWTs
# and the provider's own key are expected there; a key of another provider, a private key or a
# key of any other service is not, and is reported like anywhere else.
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "x-amz-security-token",
        "ocp-apim-subscription-key",
        "cf-aig-authorization",
        # OpenAI Realtime in a browser passes its key as a WebSocket subprotocol
        "sec-websocket-protocol",
    }
)
# Key formats that say which service they belong to. Everything else found in a credential
# header (session tokens as GENERIC_SECRET or JWT, personal data in a cookie) is the
# provider's own business.
_FORMATTED_KEYS = frozenset(
    {
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GOOGLE_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "GITHUB_TOKEN",
        "GITLAB_TOKEN",
        "SLACK_TOKEN",
        "SLACK_WEBHOOK_URL",
        "STRIPE_KEY",
        "HUGGINGFACE_TOKEN",
        "AZURE_CONNECTION_STRING",
        "SENDGRID_API_KEY",
        "NPM_TOKEN",
        "PYPI_TOKEN",
        "NOTION_TOKEN",
        "SHOPIFY_TOKEN",
        "LINEAR_API_KEY",
        "SONARQUBE_TOKEN",
        "VAULT_TOKEN",
        "TELEGRAM_BOT_TOKEN",
        "PRIVATE_KEY",
    }
)
# The key formats each provider family signs clients in with. A gateway or an unknown API
# (generic) may forward any provider's key.
_OWN_KEYS: dict[str, frozenset[str]] = {
    "openai": frozenset({"OPENAI_API_KEY", "AZURE_KEY"}),
    "anthropic": frozenset({"ANTHROPIC_API_KEY"}),
    "gemini": frozenset({"GOOGLE_API_KEY"}),
    "bedrock": frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}),
    "cloudflare_gateway": _FORMATTED_KEYS - {"PRIVATE_KEY"},
    "generic": _FORMATTED_KEYS - {"PRIVATE_KEY"},
}

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


@functools.cache
def _credential_ignore(schema: str) -> frozenset[str]:
    """What is not reported in a credential header to this provider family."""
    reported = _FORMATTED_KEYS - _OWN_KEYS.get(schema, frozenset())
    return frozenset((SECRET_ENTITIES | PII_ENTITIES | {"CUSTOM_TERM"}) - reported)


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
    credential_ignore = _credential_ignore(schema)
    for index, (name, value) in enumerate(headers):
        lowered = name.lower()
        if lowered in UNSCANNED_HEADERS:
            continue
        if not is_plain_key(lowered):  # a name can carry a key as well as a value can
            segments.append(
                Segment(
                    (Channel.HEADER, index, KeyOf(lowered)), name, redactable=False, prose=False
                )
            )
        # The value alone: a header's name ("...-token", "...-key") would lend every random
        # session token the provider hands its own web app the context of a secret.
        ignore = credential_ignore if lowered in CREDENTIAL_HEADERS else NOT_REPORTED_IN_HEADERS
        segments.append(
            Segment(
                (Channel.HEADER, index, lowered),
                value,
                redactable=False,
                prose=False,
                ignore=ignore,
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


# Query parameters that carry credentials by name. Their values are never recorded, found or
# not: a provider's own key there (Gemini's ?key=) is no finding, yet no log should keep it.
CREDENTIAL_PARAMS = frozenset(
    {
        "key",
        "api-key",
        "api_key",
        "apikey",
        "access_token",
        "token",
        "auth",
        "sig",
        "signature",
        "password",
        "secret",
        "client_secret",
    }
)


def masked_target(target: str, found: Iterable[tuple[JsonPath, int, int, str]]) -> str:
    """`target` for the audit log: every (path, start, end, entity type) found in its path or
    query masked, whatever the policy did, and the values of credential parameters too."""
    edits: dict[JsonPath, list[tuple[int, int, str]]] = {}
    for path, start, end, entity in found:
        if path and path[0] in (Channel.URL, Channel.QUERY):
            edits.setdefault(path, []).append((start, end, f"[{entity}]"))
    masked = rewrite_target(target, edits) if edits else target
    before, mark, query = masked.partition("?")
    if not query:
        return masked
    pieces = query.split("&")
    for index, piece in _pieces(query):
        name, equals, _ = piece.partition("=")
        if equals and _decoded(name, plus_is_space=True)[0].lower() in CREDENTIAL_PARAMS:
            pieces[index] = f"{name}=[credential]"
    return before + mark + "&".join(pieces)


def read_form_urlencoded(body: str) -> list[tuple[int, str, str]]:
    """(index, name, "name=value" decoded) for each piece of an urlencoded form body."""
    return [
        (index, _decoded(piece.partition("=")[0], plus_is_space=True)[0], text)
        for index, piece in _pieces(body)
        if (text := _decoded(piece, plus_is_space=True)[0])
    ]


def rewrite_form_urlencoded(body: str, edits: dict[int, list[tuple[int, int, str]]]) -> str:
    """`body` with edits (offsets into a piece's decoded text) applied in its raw form."""
    pieces = body.split("&")
    for index, spans in edits.items():
        pieces[index] = _rewrite(pieces[index], spans, plus_is_space=True)
    return "&".join(pieces)


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
