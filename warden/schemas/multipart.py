"""Split a multipart/form-data body into its fields."""

from __future__ import annotations

from dataclasses import dataclass

from warden.errors import MalformedBody
from warden.schemas.headers import parse_header

__all__ = ["Form", "FormPart", "parse_form"]


@dataclass(frozen=True, slots=True)
class FormPart:
    """One field of a form: a plain value, or a file when it has a filename."""

    name: str
    filename: str | None
    content_type: str  # lower-cased media type, "" when the part declares none
    data: bytes
    head: bytes = b""  # the part's header block as sent (every header, every parameter)


@dataclass(frozen=True, slots=True)
class Form:
    parts: list[FormPart]
    # Bytes before the first boundary and after the closing one: servers ignore them, but
    # they leave with the body all the same.
    outside: bytes = b""


def parse_form(body: bytes, boundary: str | None) -> Form:
    """Parse a multipart/form-data body (RFC 7578) delimited by `boundary`."""
    if not boundary:
        raise MalformedBody("multipart request body has no boundary in its Content-Type")
    if len(boundary) > 70 or "\r" in boundary or "\n" in boundary:
        raise MalformedBody("multipart request body has an invalid boundary in its Content-Type")
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    separator = b"\r\n" + delimiter
    if body.startswith(delimiter):
        pos = len(delimiter)
        preamble = b""
    else:  # anything before the first delimiter is preamble, which carries no fields
        first = body.find(separator)
        if first < 0:
            raise MalformedBody("multipart request body does not contain its boundary")
        pos = first + len(separator)
        preamble = body[:first]
    parts: list[FormPart] = []
    while True:
        if body.startswith(b"--", pos):  # the closing delimiter; the rest is epilogue
            return Form(parts, preamble + b"\n" + body[pos + 2 :])
        line_end = body.find(b"\r\n", pos)
        if line_end < 0:
            if body[pos:].strip():
                raise MalformedBody("multipart request body has a malformed boundary line")
            return Form(parts, preamble)  # a missing closing delimiter is tolerated
        if body[pos:line_end].strip(b" \t"):
            raise MalformedBody("multipart request body has a malformed boundary line")
        end = body.find(separator, line_end + 2)
        if end < 0:
            raise MalformedBody("multipart request body ends before its closing boundary")
        parts.append(_parse_part(body[line_end + 2 : end]))
        pos = end + len(separator)


def _parse_part(raw: bytes) -> FormPart:
    if raw.startswith(b"\r\n"):  # a part with no headers at all
        head, data = b"", raw[2:]
    else:
        head, found, data = raw.partition(b"\r\n\r\n")
        if not found:
            raise MalformedBody("multipart request body has a part without a header end")
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    _, disposition = parse_header(headers.get("content-disposition"))
    content_type, _ = parse_header(headers.get("content-type"))
    return FormPart(
        name=disposition.get("name", ""),
        filename=disposition.get("filename"),
        content_type=content_type,
        data=data,
        head=head,
    )
