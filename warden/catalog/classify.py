"""Is this flow AI traffic? One answer from every name the flow carries.

A flow carries up to three names for where it goes: the CONNECT target, the TLS SNI and the
HTTP Host header (or an absolute URL's host). A client can make them differ (curl
--connect-to, a hand-made TLS client, domain fronting), so no single one decides: any name in
the catalog makes the flow AI traffic. The decision to decrypt is taken at the TLS ClientHello
from the names known then, and a connection decrypted for one name is inspected whatever its
requests' Host headers say. Names that lead to different apps (or some to none) are worth an
alert: normal clients send the same name everywhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from warden.catalog.catalog import Catalog
from warden.catalog.entry import CatalogEntry
from warden.catalog.patterns import normalize_host

__all__ = ["Classification", "classify"]

# Which name wins when they lead to different apps: the Host header is what the server routes
# the request by, then SNI (the certificate it answers with), then where the TCP connection goes.
_PRECEDENCE = ("host", "sni", "connect")


@dataclass(frozen=True, slots=True)
class Classification:
    entry: CatalogEntry | None  # the app the flow goes to; None: not AI traffic
    intercept: bool  # decrypt: some name is an AI host Warden is told to decrypt
    names: tuple[tuple[str, str], ...]  # (where the name came from, the name), normalized
    disagree: bool  # the names lead to different apps, or some to no app at all

    def describe(self) -> str:
        """The names for a person: "CONNECT 127.0.0.1, SNI api.openai.com"."""
        labels = {"connect": "CONNECT", "sni": "SNI", "host": "Host"}
        return ", ".join(f"{labels[source]} {name}" for source, name in self.names)


def classify(
    catalog: Catalog,
    *,
    connect: str | None = None,
    sni: str | None = None,
    host: str | None = None,
) -> Classification:
    """Classify a flow from the names it carries (any case, with a port or a trailing dot)."""
    # Every request asks this again with the same few names: the answers are remembered per
    # catalog (a reload brings a new Catalog object, so a new key).
    return _classify(catalog, connect, sni, host)


@functools.lru_cache(maxsize=4096)
def _classify(
    catalog: Catalog, connect: str | None, sni: str | None, host: str | None
) -> Classification:
    given = {"connect": connect, "sni": sni, "host": host}
    names = tuple(
        (source, normalize_host(raw))
        for source in ("connect", "sni", "host")
        if (raw := given[source]) and normalize_host(raw)
    )
    entries = {source: catalog.lookup(name) for source, name in names}
    matched = [entries[s] for s in _PRECEDENCE if entries.get(s) is not None]
    ids = {entry.id if entry else None for entry in entries.values()}
    return Classification(
        entry=matched[0] if matched else None,
        intercept=any(entry.intercept for entry in matched if entry is not None),
        names=names,
        disagree=len(ids) > 1,
    )
