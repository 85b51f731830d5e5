"""The identity file: where Warden learns who a client is, and which groups they belong to."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from warden.yamlfile import load_yaml_model

__all__ = ["IdentityConfig", "IdentitySource", "NetworkEntry", "load_identity_config"]


class IdentitySource(StrEnum):
    PROXY_AUTH = "proxy_auth"
    HEADER = "header"
    NETWORK = "network"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProxyAuthConfig(_Strict):
    # Required means: no credentials, no service (407), even if another source could name the user.
    required: bool = False
    # An htpasswd file with bcrypt hashes, relative to the identity file; or an LDAP spec in
    # mitmproxy's proxyauth syntax ("ldaps:host:cn=admin,...:password:ou=users,...").
    users_file: str | None = None
    ldap: str | None = None
    # For ldaps: the CA bundle the directory's certificate must chain to (relative to the
    # identity file); without it, the system's trust store. The certificate is always checked.
    ldap_ca_file: str | None = None
    realm: str = "Egress Warden"


class HeaderConfig(_Strict):
    user_header: str = "X-Authenticated-User"
    groups_header: str | None = "X-Authenticated-Groups"
    # The header is only believed from these addresses (the identity-aware proxy in front of
    # Warden); from anywhere else a client could simply claim to be someone.
    trusted_sources: list[str] = Field(default_factory=list)

    @field_validator("trusted_sources")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr, strict=False)
        return value


class NetworkEntry(_Strict):
    cidr: str
    user: str | None = None
    device: str | None = None
    groups: list[str] = Field(default_factory=list)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        ipaddress.ip_network(value, strict=False)
        return value


class IdentityConfig(_Strict):
    version: int = 1
    # Tried in order; the first source that names a user wins.
    sources: list[IdentitySource] = Field(
        default_factory=lambda: [IdentitySource.PROXY_AUTH, IdentitySource.NETWORK]
    )
    proxy_auth: ProxyAuthConfig = ProxyAuthConfig()
    header: HeaderConfig = HeaderConfig()
    network: list[NetworkEntry] = Field(default_factory=list)
    # group name -> members; a user's groups are the union of these and what a source says.
    groups: dict[str, list[str]] = Field(default_factory=dict)
    base_dir: Path | None = Field(default=None, exclude=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        # `"1"`, `1.0` and `true` would pass as 1; the catalog refuses them, and so do we.
        if type(value) is not int:
            raise ValueError(f"'version: 1' must be a whole number, got {value!r}")
        if value != 1:
            raise ValueError("only version 1 of the identity file exists")
        return value

    def resolve_path(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path


def load_identity_config(path: Path) -> IdentityConfig:
    config = load_yaml_model(path, IdentityConfig)
    return config.model_copy(update={"base_dir": path.parent})
