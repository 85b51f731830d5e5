"""Attribute a flow to a person: the first configured source that names a user wins."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from warden.errors import ConfigError
from warden.identity.config import IdentityConfig, IdentitySource
from warden.identity.users_file import UsersFile

__all__ = ["ANONYMOUS", "AuthRequired", "Identity", "IdentityResolver"]

type CredentialCheck = Callable[[str, str], bool]

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


@dataclass
class _CredentialCache:
    """Remembers recently verified logins so bcrypt runs once per user, not per connection."""

    ttl: float = 300.0
    _key: bytes = field(default_factory=lambda: os.urandom(32))
    _seen: dict[bytes, float] = field(default_factory=dict)

    def _digest(self, user: str, password: str) -> bytes:
        # Keyed hash: the cache never holds a password, and its digests are useless elsewhere.
        return hmac.new(self._key, f"{user}\0{password}".encode(), hashlib.sha256).digest()

    def hit(self, user: str, password: str) -> bool:
        expires = self._seen.get(self._digest(user, password))
        return expires is not None and expires > time.monotonic()

    def add(self, user: str, password: str) -> None:
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[self._digest(user, password)] = time.monotonic() + self.ttl


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
        if self._check is None and config.proxy_auth.ldap:
            if ldap_factory is None:
                raise ConfigError("proxy_auth.ldap is only available inside the running proxy")
            ca_file = config.proxy_auth.ldap_ca_file
            ca_path = config.resolve_path(ca_file) if ca_file else None
            self._check = ldap_factory(config.proxy_auth.ldap, ca_path)
        elif self._check is None and config.proxy_auth.users_file:
            users = UsersFile.load(config.resolve_path(config.proxy_auth.users_file))
            self._check = users.verify
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
                self._member_of.setdefault(member, set()).add(group)

    @property
    def auth_enabled(self) -> bool:
        return self._check is not None and IdentitySource.PROXY_AUTH in self.config.sources

    @property
    def auth_required(self) -> bool:
        return self.auth_enabled and self.config.proxy_auth.required

    def check_credentials(self, user: str, password: str) -> bool:
        """Verify a login; slow (bcrypt or LDAP) on a miss, so callers run it off the loop."""
        if self._check is None:
            return False
        if self._cache.hit(user, password):
            return True
        ok = self._check(user, password)
        if ok:
            self._cache.add(user, password)
        return ok

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
        groups |= self._member_of.get(user, set())
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
