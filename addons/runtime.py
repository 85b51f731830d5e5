"""Declares Warden's mitmproxy options and keeps the engine's configuration loaded and fresh."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from mitmproxy import ctx, exceptions

from addons.ldap_auth import LdapCheck
from warden.errors import ConfigError
from warden.runtime import RuntimeConfig, WardenRuntime

log = logging.getLogger("warden")

RELOAD_INTERVAL_S = 1.0


class RuntimeAddon:
    def __init__(self) -> None:
        self._runtime: WardenRuntime | None = None
        self._reloader: asyncio.Task[None] | None = None

    def current(self) -> WardenRuntime:
        # A method, not a property: mitmproxy probes addon attributes for commands at load.
        if self._runtime is None:  # pragma: no cover - configure() always runs first
            raise RuntimeError("Warden runtime used before it was configured")
        return self._runtime

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option("warden_policy", str, "", "Policy YAML file.")
        loader.add_option("warden_identity", str, "", "Identity YAML file (users, groups).")
        loader.add_option("warden_catalog", str, "", "Extra AI catalog files, comma-separated.")
        loader.add_option(
            "warden_prices",
            str,
            "",
            "Price override file (format of warden/usage/prices.yaml); its entries win.",
        )
        loader.add_option("warden_data_dir", str, "data", "Where Warden keeps its records.")
        loader.add_option(
            "warden_reload_ms",
            int,
            int(RELOAD_INTERVAL_S * 1000),
            "How often the data files are checked for changes (ms); a change is read once it "
            "holds still for one check, so an edit is in force after about two of these.",
        )
        loader.add_option(
            "warden_max_body", int, 10 * 1024 * 1024, "Largest request body Warden inspects."
        )

    def configure(self, updated: set[str]) -> None:
        if not any(name.startswith("warden_") for name in updated):
            return
        opts = ctx.options
        config = RuntimeConfig(
            policy_path=Path(opts.warden_policy) if opts.warden_policy else None,
            identity_path=Path(opts.warden_identity) if opts.warden_identity else None,
            catalog_paths=tuple(Path(p) for p in opts.warden_catalog.split(",") if p),
            prices_path=Path(opts.warden_prices) if opts.warden_prices else None,
            data_dir=Path(opts.warden_data_dir),
            max_body_bytes=opts.warden_max_body,
            ldap_factory=LdapCheck,  # mitmproxy's LDAP spec and check, made safe under load
        )
        try:
            self._runtime = WardenRuntime(config)
        except ConfigError as e:
            raise exceptions.OptionsError(str(e)) from e

    def running(self) -> None:
        self._reloader = asyncio.get_running_loop().create_task(self._reload_forever())

    def done(self) -> None:
        if self._reloader:
            self._reloader.cancel()

    async def _reload_forever(self) -> None:
        while True:
            await asyncio.sleep(max(ctx.options.warden_reload_ms, 50) / 1000)
            runtime = self.current()
            try:
                # Reading and validating can take seconds (a 50,000-term deny list) and a
                # file system can stall; the loop serves every connection and /healthz, so
                # only the swap of the result happens on it.
                changes = await asyncio.to_thread(runtime.read_changes)
                runtime.apply_changes(changes)
            except Exception:
                # A loader bug must not end reloading for good: the proxy would then keep
                # its configuration silently while the files say something else.
                log.exception("reloading the data files failed; trying again in a second")
