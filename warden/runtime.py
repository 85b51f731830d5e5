"""The live configuration the proxy works from, reloaded when its files change.

A file that fails validation is rejected with a log line and the last good version stays in
force, so a typo in a policy never takes the proxy down or opens it up. An emptied file is
refused like any other broken one (warden/strict_yaml.py), and a deleted file is a rejection
too: the proxy keeps what it had and says so until the file is back.

The identity file names further files (the proxy users file, an LDAP CA file): they are
watched with it, and a change to any of them rebuilds the credential check, forgetting the
logins it had verified, so a removed user or a rotated password counts for new connections.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warden.catalog import Catalog
from warden.errors import ConfigError
from warden.identity import IdentityConfig, IdentityResolver, load_identity_config
from warden.identity.resolver import CredentialCheck
from warden.policy import Policy, load_policy
from warden.usage.prices import PriceTable

__all__ = ["CONFIG_CHECKS", "RuntimeConfig", "WardenRuntime"]

log = logging.getLogger("warden.runtime")

# The watched data files, by the name /healthz gives their check.
CONFIG_CHECKS = ("policy", "identity", "catalog", "prices")


@dataclass(frozen=True)
class RuntimeConfig:
    """Where the data files are; the runtime loads and watches them."""

    policy_path: Path | None = None
    identity_path: Path | None = None
    catalog_paths: tuple[Path, ...] = ()
    prices_path: Path | None = None  # an override of the shipped price table
    data_dir: Path = Path("data")
    max_body_bytes: int = 10 * 1024 * 1024
    # Builds an LDAP credential check from a spec; supplied by the proxy, which owns LDAP.
    ldap_factory: Callable[[str, Path | None], CredentialCheck] | None = None


# What a file looked like when last read: mtime, size and inode, so that an editor's atomic
# rename and a same-second rewrite are both noticed.
type _Signature = tuple[tuple[int, int, int], ...]


def _given(path: Path | None) -> tuple[Path, ...]:
    return (path,) if path is not None else ()


def _signature(paths: tuple[Path, ...]) -> _Signature:
    stats = [os.stat(path) for path in paths]
    return tuple((s.st_mtime_ns, s.st_size, s.st_ino) for s in stats)


def _no_files(_value: object) -> tuple[Path, ...]:
    return ()


@dataclass
class _Watched[T]:
    """One configuration value read from files, replaced only by a version that loads."""

    paths: tuple[Path, ...]
    loader: Callable[[], T]
    value: T
    # Further files a loaded value was built from (a users file the identity file names).
    depends: Callable[[T], tuple[Path, ...]] = _no_files
    signature: _Signature | None = None
    last_error: str | None = None

    def files(self) -> tuple[Path, ...]:
        return (*self.paths, *self.depends(self.value)) if self.paths else ()

    def load_first(self) -> None:
        """The first load must succeed: starting on a broken file would mean starting blind."""
        if self.paths:
            try:
                self._load(_signature(self.paths))
            except OSError as e:
                raise ConfigError(f"{e.filename}: cannot read: {e.strerror}") from e

    def _load(self, before: _Signature) -> None:
        """Load; `before` is what the files looked like just before, taken so that an edit
        made while loading is seen at the next check rather than lost."""
        value = self.loader()
        depends = self.depends(value)
        if depends != self.depends(self.value) or len(before) != len(self.paths) + len(depends):
            # Named only now: their signature is taken after the load that read them.
            before = before[: len(self.paths)] + _signature(depends)
        self.value, self.signature = value, before

    def reload_if_changed(self) -> bool:
        if not self.paths:
            return False
        try:
            signature = _signature(self.files())
        except OSError as e:
            # Forget what the file looked like: whatever comes back is read afresh, even a
            # restored copy with its old timestamp.
            self.signature = None
            return self.reject(f"{e.filename}: cannot read: {e.strerror}")
        if signature == self.signature:
            return False
        try:
            self._load(signature)
        except ConfigError as e:
            # Do not re-read the same broken file every second; but a file named only by the
            # rejected version (a new users file) is not watched yet, so those are re-read
            # (quietly: reject() logs a message once) until it loads.
            self.signature = signature if self.depends is _no_files else None
            return self.reject(str(e))
        except OSError as e:
            self.signature = None
            return self.reject(f"{e.filename}: cannot read: {e.strerror}")
        self.last_error = None
        log.info("loaded %s", ", ".join(map(str, self.files())))
        return True

    def reject(self, message: str) -> bool:
        if message != self.last_error:
            log.error("rejected %s; keeping the last good version", message)
        self.last_error = message
        return False


@dataclass
class WardenRuntime:
    config: RuntimeConfig
    _policy: _Watched[Policy] = field(init=False)
    _identity: _Watched[IdentityResolver] = field(init=False)
    _catalog: _Watched[Catalog] = field(init=False)
    _prices: _Watched[PriceTable] = field(init=False)
    catalog: Catalog = field(init=False)

    def __post_init__(self) -> None:
        cfg = self.config
        self._policy = _Watched(_given(cfg.policy_path), self._load_policy, Policy())
        self._identity = _Watched(
            _given(cfg.identity_path),
            self._load_identity,
            self._resolver(IdentityConfig()),
            depends=lambda resolver: resolver.files,
        )
        self._catalog = _Watched(cfg.catalog_paths, self._load_catalog, Catalog.default())
        self._prices = _Watched(_given(cfg.prices_path), self._load_prices, PriceTable.load())
        for watched in self._watched().values():
            watched.load_first()
        self.catalog = self._catalog_with_policy_hosts(self.policy)

    def _load_policy(self) -> Policy:
        assert self.config.policy_path is not None  # only called for a watched file
        return load_policy(self.config.policy_path)

    def _load_identity(self) -> IdentityResolver:
        # The resolver is built at load time, so a users file that cannot be read rejects
        # the identity edit instead of leaving the old resolver beside the new settings.
        assert self.config.identity_path is not None
        return self._resolver(load_identity_config(self.config.identity_path))

    def _load_catalog(self) -> Catalog:
        return Catalog.default(*self.config.catalog_paths)

    def _load_prices(self) -> PriceTable:
        return PriceTable.load(self.config.prices_path)

    def _resolver(self, config: IdentityConfig) -> IdentityResolver:
        return IdentityResolver(config, ldap_factory=self.config.ldap_factory)

    def _watched(self) -> dict[str, _Watched[object]]:
        watched = (self._policy, self._identity, self._catalog, self._prices)
        return dict(zip(CONFIG_CHECKS, watched, strict=True))  # type: ignore[arg-type]

    @property
    def policy(self) -> Policy:
        return self._policy.value

    @property
    def prices(self) -> PriceTable:
        return self._prices.value

    @property
    def resolver(self) -> IdentityResolver:
        return self._identity.value

    def reload_if_changed(self) -> bool:
        before = self._policy.value, self._catalog.value
        changed = [watched.reload_if_changed() for watched in self._watched().values()]
        if not any(changed):
            return False
        try:
            self.catalog = self._catalog_with_policy_hosts(self.policy)
        except ConfigError as e:
            # The new policy's hosts do not fit the catalog: both stay as they were.
            self._policy.value, self._catalog.value = before
            self._policy.reject(f"{self.config.policy_path}: {e}")
            return False
        return True

    def _catalog_with_policy_hosts(self, policy: Policy) -> Catalog:
        catalog = self._catalog.value
        return (
            catalog.with_extra_hosts(policy.intercept_hosts) if policy.intercept_hosts else catalog
        )

    def rejected(self) -> dict[str, str | None]:
        """Each watched file's last rejection (None: its current version is in force)."""
        return {name: watched.last_error for name, watched in self._watched().items()}

    def status(self) -> dict[str, object]:
        cfg = self.config
        return {
            "policy": str(cfg.policy_path) if cfg.policy_path else None,
            "identity": str(cfg.identity_path) if cfg.identity_path else None,
            "catalog": [str(p) for p in cfg.catalog_paths],
            "prices": str(cfg.prices_path) if cfg.prices_path else None,
            **{f"{name}_error": error for name, error in self.rejected().items()},
        }
