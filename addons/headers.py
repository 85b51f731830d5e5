"""Reading mitmproxy headers cheaply on the per-request path.

Each Headers lookup scans every field and `dict(headers)` does that once per name (about
25 µs for ten headers); one pass over the raw fields gives all of them for about 1 µs.
"""

from __future__ import annotations

from mitmproxy.http import Headers

__all__ = ["lowered"]


def lowered(headers: Headers) -> dict[str, str]:
    """Every field as {lowercase name: value}; repeated names are joined with ", "."""
    out: dict[str, str] = {}
    for raw_name, raw_value in headers.fields:
        name = raw_name.decode("utf-8", "surrogateescape").lower()
        value = raw_value.decode("utf-8", "surrogateescape")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out
