"""The live configuration the proxy works from, reloaded when its files change.

A file that fails validation is rejected with a log line and the last good version stays in
force, so a typo in a policy never takes the proxy down or opens it up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warden.catalog import Catalog
from warden.errors import ConfigError
from warden.identity import IdentityConfig, IdentityResolver, load_identity_config
from warden.policy import Policy, load_policy

__all__ = ["RuntimeConfig", "WardenRuntime"]

log = logging.getLogger("warden.runtime")


@dataclass(frozen=True)
class RuntimeConfig:
    """Where the data files are; the runtime loads and watches them."""

    policy_path: Path | None = None
    identity_path: Path | None = None
    catalog_paths: tuple[Path, ...] = ()
    data_dir: Path = Path("data")
    max_body_bytes: int = 10 * 1024 * 1024
    # Builds an LDAP credential check from a spec; supplied by the proxy, which owns LDAP.
    ldap_factory: Callable[[str, Path | None], Callable[[str, str], bool]] | None = None


@dataclass
class _Watched[T]:
    path: Path | None
    loader: Callable[[Path], T]
    value: T
    mtime: float | None = None
    last_error: str | None = None

    def reload_if_changed(self) -> bool:
        if self.path is None:
            return False
        try:
            mtime = self.path.stat().st_mtime_ns / 1e9
        except OSError as e:
            return self._reject(f"{self.path}: cannot read: {e.strerror}")
        if mtime == self.mtime:
            return False
        try:
            self.value = self.loader(self.path)
        except ConfigError as e:
            self.mtime = mtime  # do not re-log the same broken file every second
            return self._reject(str(e))
        self.mtime, self.last_error = mtime, None
        log.info("loaded %s", self.path)
        return True

    def _reject(self, message: str) -> bool:
        if message != self.last_error:
            log.error("rejected %s; keeping the last good version", message)
        self.last_error = message
        return False


@dataclass
class WardenRuntime:
    config: RuntimeConfig
    _policy: _Watched[Policy] = field(init=False)
    _identity: _Watched[IdentityConfig] = field(init=False)
    catalog: Catalog = field(init=False)
    resolver: IdentityResolver = field(init=False)

    def __post_init__(self) -> None:
        # The first load must succeed: starting on a broken file would mean starting blind.
        cfg = self.config
        self._policy = _Watched(cfg.policy_path, load_policy, Policy())
        self._identity = _Watched(cfg.identity_path, load_identity_config, IdentityConfig())
        for watched in (self._policy, self._identity):
            if watched.path is not None:
                watched.value = watched.loader(watched.path)
                watched.mtime = watched.path.stat().st_mtime_ns / 1e9
        self._rebuild()

    @property
    def policy(self) -> Policy:
        return self._policy.value

    def reload_if_changed(self) -> bool:
        changed = self._policy.reload_if_changed() | self._identity.reload_if_changed()
        if changed:
            try:
                self._rebuild()
            except ConfigError as e:
                log.error("rejected new configuration: %s", e)
        return changed

    def _rebuild(self) -> None:
        catalog = Catalog.default(*self.config.catalog_paths)
        if self.policy.intercept_hosts:
            catalog = catalog.with_extra_hosts(self.policy.intercept_hosts)
        resolver = IdentityResolver(self._identity.value, ldap_factory=self.config.ldap_factory)
        self.catalog, self.resolver = catalog, resolver

    def status(self) -> dict[str, object]:
        return {
            "policy": str(self._policy.path) if self._policy.path else None,
            "policy_error": self._policy.last_error,
            "identity": str(self._identity.path) if self._identity.path else None,
            "identity_error": self._identity.last_error,
        }
