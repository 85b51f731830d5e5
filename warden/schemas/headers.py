"""Read the `type; name=value` shape shared by Content-Type and Content-Disposition."""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["is_json_type", "is_text_type", "parse_header"]

_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_ESCAPE = re.compile(r"\\(.)")


def parse_header(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a header into its lower-cased main value and its parameters ("" when absent)."""
    if not value:
        return "", {}
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for name, raw in _PARAM.findall(";" + rest):
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = _ESCAPE.sub(r"\1", raw[1:-1])
        name = name.lower()
        if name.endswith("*"):  # RFC 8187 extended value: charset'language'percent-encoded
            charset, _, encoded = raw.partition("'")
            _, _, encoded = encoded.partition("'")
            try:
                raw = unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                continue
            name = name[:-1]
            params[name] = raw  # the extended form wins over the plain one
        else:
            params.setdefault(name, raw)
    return main.strip().lower(), params


def is_json_type(media_type: str) -> bool:
    return media_type in ("application/json", "text/json") or media_type.endswith("+json")


def is_text_type(media_type: str) -> bool:
    return media_type.startswith("text/")
