"""The AI catalog: which hosts belong to which AI app, answered fast for every connection."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from warden.catalog.entry import AppKind, CatalogEntry, Sanction
from warden.catalog.loader import CATALOG_VERSION, read_catalog_file
from warden.catalog.patterns import HostPattern, PatternKind, normalize_host, parse_host_pattern
from warden.errors import ConfigError

__all__ = ["SHIPPED_CATALOG", "Catalog"]

SHIPPED_CATALOG = Path(__file__).with_name("catalog.yaml")

# Matches nothing: what an empty catalog hands mitmproxy, so that nothing is intercepted.
_NEVER = r"(?!)"


class Catalog:
    """An ordered set of catalog entries with a host index built once, at construction."""

    def __init__(self, entries: Iterable[CatalogEntry], version: int = CATALOG_VERSION) -> None:
        self.version = version
        self._entries: dict[str, CatalogEntry] = {}
        self._exact: dict[str, CatalogEntry] = {}
        wildcards: list[tuple[HostPattern, CatalogEntry]] = []
        owner: dict[str, str] = {}
        for entry in entries:
            if entry.id in self._entries:
                raise ValueError(f"catalog entry {entry.id!r} given twice")
            self._entries[entry.id] = entry
            for text in dict.fromkeys(entry.hosts):
                pattern = parse_host_pattern(text)
                if owner.setdefault(pattern.text, entry.id) != entry.id:
                    raise ValueError(
                        f"host {pattern.text!r} belongs to both {owner[pattern.text]!r} "
                        f"and {entry.id!r}"
                    )
                if pattern.kind is PatternKind.EXACT:
                    self._exact[pattern.text] = entry
                else:
                    wildcards.append((pattern, entry))
        # Most specific first: a stable sort keeps file order among equally specific patterns.
        # Python's alternation takes the first alternative that lets fullmatch succeed, so the
        # order of the alternatives is the order of preference.
        wildcards.sort(key=lambda item: -item[0].literal_length)
        self._wildcard_entries = [entry for _, entry in wildcards]
        self._wildcards = [pattern for pattern, _ in wildcards]
        self._wildcard_re = (
            re.compile("|".join(f"(?P<w{i}>{p.regex})" for i, p in enumerate(self._wildcards)))
            if wildcards
            else None
        )

    # -- building -------------------------------------------------------------------------

    @classmethod
    def load(cls, *paths: Path) -> Catalog:
        """Read catalog files in order; each later file extends or overrides the earlier ones.

        An entry whose id is already known replaces that entry wholesale. A host a later file
        gives to a different app moves to that app: the person who wrote the later file meant
        it, and copying a whole shipped entry just to take one host from it would be a trap.
        """
        merged: dict[str, CatalogEntry] = {}
        owner: dict[str, str] = {}  # host pattern -> id of the entry holding it now
        for path in paths:
            for entry in read_catalog_file(Path(path)):
                replaced = merged.get(entry.id)
                if replaced is not None:
                    for host in replaced.hosts:
                        owner.pop(host, None)
                for host in entry.hosts:
                    previous = owner.get(host)
                    if previous is not None and previous != entry.id:
                        held = merged[previous]
                        merged[previous] = replace(
                            held, hosts=tuple(h for h in held.hosts if h != host)
                        )
                    owner[host] = entry.id
                merged[entry.id] = entry
        return cls(merged.values())

    @classmethod
    def default(cls, *extra: Path) -> Catalog:
        """The catalog shipped with Warden, extended by any site files given."""
        return cls.load(SHIPPED_CATALOG, *extra)

    def with_extra_hosts(self, hosts: Iterable[str], entry_id: str = "policy") -> Catalog:
        """This catalog plus the hosts a policy names that the catalog does not yet cover.

        Such hosts get a generic-schema API entry, tolerated by default: the policy that names
        them decides what happens to their traffic. Hosts the catalog already matches keep
        their own entry, so naming api.openai.com in a policy does not lose the OpenAI parser.
        """
        new: list[str] = []
        for raw in hosts:
            try:
                pattern = parse_host_pattern(raw)
            except ValueError as exc:
                raise ConfigError(f"policy host: {exc}") from exc
            covered = (
                self.lookup(pattern.text) is not None
                if pattern.kind is PatternKind.EXACT
                else any(p.text == pattern.text for p in self._wildcards)
            )
            if not covered and pattern.text not in new:
                new.append(pattern.text)
        if not new:
            return self
        current = self._entries.get(entry_id)
        if current is not None:
            added = replace(current, hosts=current.hosts + tuple(new))
        else:
            added = CatalogEntry(
                id=entry_id,
                name="Hosts named by policy",
                vendor="(policy)",
                kind=AppKind.API,
                schema="generic",
                hosts=tuple(new),
                sanctioned=Sanction.TOLERATED,
            )
        return Catalog({**self._entries, entry_id: added}.values(), version=self.version)

    # -- asking ---------------------------------------------------------------------------

    def lookup(self, host: str) -> CatalogEntry | None:
        """The app a host belongs to; accepts Host-header forms (any case, :port, trailing dot)."""
        name = normalize_host(host)
        entry = self._exact.get(name)
        if entry is not None or self._wildcard_re is None:
            return entry
        match = self._wildcard_re.fullmatch(name)
        if match is None or match.lastgroup is None:
            return None
        return self._wildcard_entries[int(match.lastgroup[1:])]

    def get(self, entry_id: str) -> CatalogEntry | None:
        return self._entries.get(entry_id)

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        return tuple(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self._entries.values())

    def hosts_for_intercept(self) -> list[str]:
        """Every host pattern whose traffic is decrypted and inspected, in catalog order."""
        return [host for entry in self._entries.values() if entry.intercept for host in entry.hosts]

    def mitmproxy_allow_hosts_regex(self) -> str:
        """One regex for mitmproxy's ``allow_hosts`` covering exactly the intercepted hosts.

        mitmproxy runs ``re.search`` (case-insensitive) on "host:port" strings, so the regex
        is anchored at both ends: without that, api.openai.com.evil.com:443 and
        evilapi.openai.com:443 would be decrypted as if they were OpenAI.
        """
        alternatives = [
            parse_host_pattern(host).regex
            for entry in self._entries.values()
            if entry.intercept
            for host in entry.hosts
        ]
        if not alternatives:
            return _NEVER
        return rf"^(?:{'|'.join(alternatives)})\.?:\d+$"

    def fingerprint(self) -> str:
        """A short digest of which hosts map to which apps, to tell two catalogs apart."""
        lines = sorted(
            f"{e.id} {h} {int(e.intercept)}" for e in self._entries.values() for h in e.hosts
        )
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
