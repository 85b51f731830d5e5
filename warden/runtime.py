"""The live configuration the proxy works from, reloaded when its files change.

A file that fails validation is rejected with a log line and the last good version stays in
force, so a typo in a policy never takes the proxy down or opens it up. An emptied file is
refused like any other broken one (warden/strict_yaml.py), and a deleted file is a rejection
too: the proxy keeps what it had and says so until the file is back.

A change is read once it has held still for one poll (see `_Watched`), and reading is split
from applying so that the proxy can read on a worker thread and swap the result in on its
event loop.

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
from typing import Any

from warden.catalog import Catalog
from warden.errors import ConfigError
from warden.identity import IdentityConfig, IdentityResolver, load_identity_config
from warden.identity.resolver import CredentialCheck
from warden.policy import Policy, load_policy
from warden.usage.prices import PriceTable

__all__ = ["CONFIG_CHECKS", "Changes", "RuntimeConfig", "WardenRuntime"]

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


@dataclass(frozen=True)
class _Poll[T]:
    """What one look at a watched file found: read off the event loop, applied on it."""

    signature: _Signature | None  # None: the file could not be seen (`error` says why)
    load: bool = False  # the change held still for a poll, so it was read: value or error
    value: T | None = None
    error: str | None = None
    retry: bool = False  # a rejected version whose named files are not watched yet: re-read


@dataclass
class _Watched[T]:
    """One configuration value read from files, replaced only by a version that loads.

    A change is read only once the files' signature is the same on two polls in a row: a
    file still being written (`cat >`, scp, a slow editor) would otherwise be read half-way,
    and its first lines alone are often a valid policy with no rules.
    """

    paths: tuple[Path, ...]
    loader: Callable[[], T]
    value: T
    # Further files a loaded value was built from (a users file the identity file names).
    depends: Callable[[T], tuple[Path, ...]] = _no_files
    signature: _Signature | None = None
    last_error: str | None = None
    pending: _Signature | None = None  # a change seen on the last poll, not read yet

    def files(self) -> tuple[Path, ...]:
        return (*self.paths, *self.depends(self.value)) if self.paths else ()

    def load_first(self) -> None:
        """The first load must succeed: starting on a broken file would mean starting blind."""
        if self.paths:
            try:
                before = _signature(self.paths)
                value = self.loader()
                self.value, self.signature = value, self._signature_for(value, before)
            except OSError as e:
                raise ConfigError(f"{e.filename}: cannot read: {e.strerror}") from e

    def _signature_for(self, value: T, before: _Signature) -> _Signature:
        """What to remember for `value`: `before` was taken just before reading, so that an
        edit made while loading is seen at the next poll rather than lost; files the value
        names only now are signed after the load that read them."""
        depends = self.depends(value)
        if depends != self.depends(self.value) or len(before) != len(self.paths) + len(depends):
            before = before[: len(self.paths)] + _signature(depends)
        return before

    def poll(self) -> _Poll[T] | None:
        """Look at the files and read them if their change has settled; changes nothing
        here, so it may run on a worker thread."""
        if not self.paths:
            return None
        try:
            signature = _signature(self.files())
        except OSError as e:
            return _Poll(None, error=f"{e.filename}: cannot read: {e.strerror}")
        if signature == self.signature or signature != self.pending:
            return _Poll(signature)
        try:
            value = self.loader()
            return _Poll(self._signature_for(value, signature), load=True, value=value)
        except ConfigError as e:
            # A file named only by the rejected version (a new users file) is not watched
            # yet, so such a version is read again until it loads (reject() logs once).
            retry = self.depends is not _no_files
            return _Poll(signature, load=True, error=str(e), retry=retry)
        except OSError as e:
            return _Poll(None, error=f"{e.filename}: cannot read: {e.strerror}")

    def apply(self, poll: _Poll[T] | None) -> bool:
        """Take in what `poll` found; True when a new version is now in force."""
        if poll is None:
            return False
        if poll.signature is None:
            # Forget what the file looked like: whatever comes back is read afresh, even a
            # restored copy with its old timestamp.
            self.signature = self.pending = None
            return self.reject(str(poll.error))
        if not poll.load:
            self.pending = None if poll.signature == self.signature else poll.signature
            return False
        self.pending = None
        # A broken file is not re-read (or re-logged) each poll, unless it must be (`retry`).
        self.signature = None if poll.retry else poll.signature
        if poll.error is not None or poll.value is None:
            return self.reject(str(poll.error))
        self.value, self.last_error = poll.value, None
        log.info("loaded %s", ", ".join(map(str, self.files())))
        return True

    def reject(self, message: str) -> bool:
        if message != self.last_error:
            log.error("rejected %s; keeping the last good version", message)
        self.last_error = message
        return False


type Changes = dict[str, _Poll[Any] | None]


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

    def read_changes(self) -> Changes:
        """Look at every watched file and read those whose change has settled. Slow (a big
        deny list takes seconds to validate) but changes nothing in force, so the proxy runs
        it on a worker thread and then hands the result to `apply_changes` on its loop."""
        return {name: watched.poll() for name, watched in self._watched().items()}

    def apply_changes(self, changes: Changes) -> bool:
        """Put what `read_changes` read in force; True when something changed."""
        before = self._policy.value, self._catalog.value
        watched = self._watched()
        changed = [watched[name].apply(poll) for name, poll in changes.items()]
        if not any(changed):
            return False
        try:
            self.catalog = self._catalog_with_policy_hosts(self.policy)
        except ConfigError as e:
            # The new policy's hosts do not fit the catalog: both stay as they were.
            self._policy.value, self._catalog.value = before
            self._policy.reject(f"{self.config.policy_path}: {e}")
            return False
        if self.policy is not before[0]:
            self._warn_of_lost_protection(before[0], self.policy)
        return True

    def reload_if_changed(self) -> bool:
        """One poll, read and applied in the caller's thread."""
        return self.apply_changes(self.read_changes())

    def _warn_of_lost_protection(self, before: Policy, after: Policy) -> None:
        # Applied all the same (an admin may mean it), but an accident must be visible: a
        # half-saved file that held still for a poll looks exactly like this.
        lost = []
        if before.rules and not after.rules:
            lost.append(f"all {len(before.rules)} rules")
        if before.dlp.enabled and not after.dlp.enabled:
            lost.append("DLP (dlp.enabled: false)")
        if lost:
            log.warning(
                "%s: the reloaded policy removes %s compared with the version it replaces; "
                "applied as written (restore the file if that was not meant)",
                self.config.policy_path,
                " and ".join(lost),
            )

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
