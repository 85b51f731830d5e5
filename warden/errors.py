"""Errors the engine raises, each carrying a message fit to show the person whose request failed.

WardenError
+-- ConfigError          a data file (policy, identity, catalog, prices) is invalid, empty,
|                        version-less or repeats a key; names file:line:column
`-- RequestRejected      a request cannot be inspected, so it is not forwarded
    +-- BodyTooLarge     over the configured limit, or decompresses past it (413)
    +-- BadEncoding      Content-Encoding unknown or the compressed body is corrupt (400)
    +-- MalformedBody    not valid JSON / UTF-8 / multipart where the endpoint needs it (400)
    `-- UnsupportedBody  a body type Warden cannot read, e.g. raw binary to a text API (415)
"""

from __future__ import annotations

__all__ = [
    "BadEncoding",
    "BodyTooLarge",
    "ConfigError",
    "MalformedBody",
    "RequestRejected",
    "UnsupportedBody",
    "WardenError",
]


class WardenError(Exception):
    """Base of every error Warden raises on purpose."""


class ConfigError(WardenError):
    """A configuration or data file is invalid."""


class RequestRejected(WardenError):
    """The request cannot be inspected and so must not be forwarded."""

    status = 400
    code = "request_rejected"


class BodyTooLarge(RequestRejected):
    status = 413
    code = "body_too_large"


class BadEncoding(RequestRejected):
    status = 400
    code = "bad_content_encoding"


class MalformedBody(RequestRejected):
    status = 400
    code = "malformed_body"


class UnsupportedBody(RequestRejected):
    status = 415
    code = "unsupported_body"
