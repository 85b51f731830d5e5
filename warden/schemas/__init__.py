"""Read AI provider request bodies into the provider-neutral NormalizedRequest."""

from __future__ import annotations

import re
from collections.abc import Sequence

from warden.schemas import (
    anthropic,
    bedrock,
    chatgpt_web,
    cloudflare_gateway,
    cohere,
    gemini,
    generic,
    openai,
)
from warden.schemas.decoding import decode_body
from warden.schemas.envelope import read_envelope
from warden.schemas.normalized import EndpointKind, JsonPath, NormalizedRequest, Segment
from warden.schemas.routing import Router, read_request

__all__ = [
    "SCHEMAS",
    "EndpointKind",
    "JsonPath",
    "NormalizedRequest",
    "Segment",
    "decode_body",
    "parse_request",
]

# The catalog's schema family names.
SCHEMAS: dict[str, Router] = {
    "openai": openai.route,
    "anthropic": anthropic.route,
    "gemini": gemini.route,
    "bedrock": bedrock.route,
    "cohere": cohere.route,
    "chatgpt_web": chatgpt_web.route,
    "cloudflare_gateway": cloudflare_gateway.route,
    "generic": generic.route,
}

_SLASHES = re.compile(r"/{2,}")


def parse_request(
    schema: str,
    provider: str,
    method: str,
    path: str,
    content_type: str | None,
    body: bytes,
    headers: Sequence[tuple[str, str]] | None = None,
) -> NormalizedRequest:
    """Read a request as `schema` says; raise RequestRejected if it cannot be read.

    `path` is the request target with its query. With `headers`, the URL and the headers are
    read too (envelope.py), for everything that leaves to be scanned.
    """
    target, _, query = path.partition("?")
    # Many servers read "//" as "/" and ignore a trailing "/"; routing must too, or
    # "/v1/chat//completions/" would dodge the chat route.
    target = _SLASHES.sub("/", target).rstrip("/") or "/"
    # An unknown family still gets read: walking every string is the safe default.
    route = SCHEMAS.get(schema, generic.route)(target, query)
    # `method` does not change how a body reads: a GET simply arrives with an empty body.
    request = read_request(provider, route, content_type, body)
    if headers is not None:
        request.other += read_envelope(path, headers, schema)
    return request
