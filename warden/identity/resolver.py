"""Attribute a flow to a person: the first configured source that names a user wins."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from warden.errors import ConfigError
from warden.identity.config import IdentityConfig, IdentitySource
from warden.identity.users_file import UsersFile

__all__ = [
    "ANONYMOUS",
    "AuthRequired",
    "CredentialCheck",
    "Identity",
    "IdentityResolver",
    "member_key",
]

# A check answers with the name the directory (or users file) knows the person by, True when
# it has no spelling of its own to offer, or False/None for a refused login.
type CredentialCheck = Callable[[str, str], str | bool | None]

ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Identity:
    user: str
    groups: tuple[str, ...] = ()
    device: str | None = None
    source: str = "none"  # which source named the user: proxy_auth, header, network, none
    client_ip: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "user": self.user,
            "groups": list(self.groups),
            "device": self.device,
            "source": self.source,
            "client_ip": self.client_ip,
        }


class AuthRequired(Exception):
    """Proxy authentication is required and was missing or wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def member_key(name: str) -> str:
    """The form in which user names are compared with the identity file's group members.

    Directories match logins case-insensitively, so `ALICE` and `alice` are one person and
    must fall in the same groups (and quotas) whatever the spelling.
    """
    return name.casefold()


def _unfit_login(user: str) -> bool:
    # A directory ignores surrounding spaces, and control or invisible format characters can
    # make one person look like two in the audit log: such names are refused before any bind.
    return user != user.strip() or any(unicodedata.category(c)[0] == "C" for c in user)


@dataclass
class _CredentialCache:
    """Remembers recently verified logins so bcrypt runs once per user, not per connection."""

    ttl: float = 300.0
    _key: bytes = field(default_factory=lambda: os.urandom(32))
    _seen: dict[bytes, tuple[float, str]] = field(default_factory=dict)

    def _digest(self, user: str, password: str) -> bytes:
        # Keyed hash: the cache never holds a password, and its digests are useless elsewhere.
        return hmac.new(self._key, f"{user}\0{password}".encode(), hashlib.sha256).digest()

    def hit(self, user: str, password: str) -> str | None:
        """The canonical name a login was verified as, if it was verified lately."""
        seen = self._seen.get(self._digest(user, password))
        return seen[1] if seen is not None and seen[0] > time.monotonic() else None

    def add(self, user: str, password: str, canonical: str) -> None:
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[self._digest(user, password)] = (time.monotonic() + self.ttl, canonical)


class IdentityResolver:
    """Turns what a connection shows (address, credentials, headers) into an Identity."""

    def __init__(
        self,
        config: IdentityConfig,
        credential_check: CredentialCheck | None = None,
        ldap_factory: Callable[[str, Path | None], CredentialCheck] | None = None,
    ) -> None:
        self.config = config
        self._check = credential_check
        # The files the credential check was built from: a change to one must rebuild it.
        self.files: tuple[Path, ...] = ()
        if self._check is None and config.proxy_auth.ldap:
            if ldap_factory is None:
                raise ConfigError("proxy_auth.ldap is only available inside the running proxy")
            ca_file = config.proxy_auth.ldap_ca_file
            ca_path = config.resolve_path(ca_file) if ca_file else None
            self._check = ldap_factory(config.proxy_auth.ldap, ca_path)
            self.files = (ca_path,) if ca_path else ()
        elif self._check is None and config.proxy_auth.users_file:
            users_path = config.resolve_path(config.proxy_auth.users_file)
            self._check = UsersFile.load(users_path).login
            self.files = (users_path,)
        self._cache = _CredentialCache()
        self._networks = sorted(
            ((ipaddress.ip_network(e.cidr, strict=False), e) for e in config.network),
            key=lambda pair: pair[0].prefixlen,
            reverse=True,  # most specific network first
        )
        self._trusted = [
            ipaddress.ip_network(c, strict=False) for c in config.header.trusted_sources
        ]
        header = config.header
        self._identity_headers = tuple(
            name for name in (header.user_header, header.groups_header) if name
        )
        self._member_of: dict[str, set[str]] = {}
        for group, members in config.groups.items():
            for member in members:
                self._member_of.setdefault(member_key(member), set()).add(group)

    @property
    def auth_enabled(self) -> bool:
        return self._check is not None and IdentitySource.PROXY_AUTH in self.config.sources

    @property
    def auth_required(self) -> bool:
        return self.auth_enabled and self.config.proxy_auth.required

    def check_credentials(self, user: str, password: str) -> str | None:
        """The verified user's canonical name, or None for a refused login.

        Slow (bcrypt or LDAP) on a miss, so callers run it off the loop. The name is the one
        the directory or users file holds, else the typed one casefolded: however a person
        spells their login, they are one identity in groups, quotas and the audit log.
        """
        if self._check is None or _unfit_login(user):
            return None
        if (cached := self._cache.hit(user, password)) is not None:
            return cached
        answer = self._check(user, password)
        if not answer:
            return None
        canonical = answer if isinstance(answer, str) else member_key(user)
        self._cache.add(user, password, canonical)
        return canonical

    def resolve(
        self,
        client_ip: str | None,
        authenticated_user: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Identity:
        """Name the user; `authenticated_user` is a login the caller already verified."""
        if self.auth_required and authenticated_user is None:
            raise AuthRequired("proxy authentication required")
        network = self._network_entry(client_ip)
        device = (network.device if network else None) or client_ip
        for source in self.config.sources:
            user: str | None = None
            groups: set[str] = set()
            if source is IdentitySource.PROXY_AUTH:
                user = authenticated_user
            elif source is IdentitySource.HEADER:
                user, groups = self._from_header(client_ip, headers or {})
            elif source is IdentitySource.NETWORK and network is not None:
                user, groups = network.user, set(network.groups)
            if user:
                return self._identity(user, groups, device, source.value, client_ip)
        fallback = set(network.groups) if network else set()
        return self._identity(ANONYMOUS, fallback, device, "none", client_ip)

    def _identity(
        self, user: str, groups: set[str], device: str | None, source: str, ip: str | None
    ) -> Identity:
        groups |= self._member_of.get(member_key(user), set())
        return Identity(user, tuple(sorted(groups)), device, source, ip)

    def _network_entry(self, client_ip: str | None):  # type: ignore[no-untyped-def]
        if not client_ip:
            return None
        try:
            addr = ipaddress.ip_address(client_ip.removeprefix("::ffff:"))
        except ValueError:
            return None
        for network, entry in self._networks:
            if addr.version == network.version and addr in network:
                return entry
        return None

    def _from_header(
        self, client_ip: str | None, headers: Mapping[str, str]
    ) -> tuple[str | None, set[str]]:
        if not self._is_trusted(client_ip):
            return None, set()
        lowered = {k.lower(): v for k, v in headers.items()}
        user = lowered.get(self.config.header.user_header.lower(), "").strip() or None
        groups: set[str] = set()
        if self.config.header.groups_header:
            raw = lowered.get(self.config.header.groups_header.lower(), "")
            groups = {g.strip() for g in raw.split(",") if g.strip()}
        return user, groups

    def _is_trusted(self, client_ip: str | None) -> bool:
        if not client_ip or not self._trusted:
            return False
        try:
            addr = ipaddress.ip_address(client_ip.removeprefix("::ffff:"))
        except ValueError:
            return False
        return any(addr.version == n.version and addr in n for n in self._trusted)

    def identity_headers(self) -> tuple[str, ...]:
        """Headers to strip before forwarding: the AI provider has no business seeing them."""
        return self._identity_headers
