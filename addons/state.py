"""Declares where Warden's shared state lives (`--state`) and watches that store.

Without `warden_state`, quota counters, coaching passes and alert throttle windows stay in
the machine's SQLite state database (the policy and alerts addons open it). With a redis://
or rediss:// URL, they live in Redis and every Warden instance pointing at it enforces one
set of quotas and makes one alert of a key repeated anywhere (alert windows never refuse:
while Redis is down each instance dedupes its own alerts and marks them); a probe each
second keeps /healthz honest and closes the breaker (warden/state/failover.py) once the
server is back.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from mitmproxy import ctx, exceptions

from warden.errors import ConfigError
from warden.state.failover import FailoverCounters, FailoverPasses, StoreHealth, Unreachable
from warden.state.redis_settings import RedisSettings
from warden.state.redis_store import RedisCounters, RedisPasses, connect

__all__ = ["SharedState", "StateAddon"]

log = logging.getLogger("warden.state")

PROBE_INTERVAL_S = 1.0


class SharedState:
    """The Redis-backed stores of one running proxy, and their health."""

    def __init__(self, settings: RedisSettings, mode: Unreachable) -> None:
        client = connect(settings)
        self.client, self.namespace = client, settings.namespace  # alert windows use them
        self.remote = RedisCounters(client, settings.namespace)
        self.health = StoreHealth(settings.redacted(), mode)
        self.counters = FailoverCounters(self.remote, self.health)
        self.passes = FailoverPasses(RedisPasses(client, settings.namespace), self.health)


class StateAddon:
    def __init__(self) -> None:
        self.settings: RedisSettings | None = None
        self.mode = Unreachable.REFUSE
        self.shared: SharedState | None = None
        self._prober: asyncio.Task[None] | None = None

    def load(self, loader) -> None:  # type: ignore[no-untyped-def]
        loader.add_option(
            "warden_state",
            str,
            "",
            "Shared state store for quota counters, coaching passes and alert windows: "
            "redis://HOST:PORT/DB "
            "or rediss://... (TLS). Empty: the machine's SQLite state database.",
        )
        loader.add_option(
            "warden_state_ca", str, "", "CA file that signed the rediss:// server's certificate."
        )
        loader.add_option(
            "warden_state_password_file",
            str,
            "",
            "File (mode 0600) holding the state store's password; else WARDEN_STATE_PASSWORD.",
        )
        loader.add_option(
            "warden_state_unreachable",
            str,
            Unreachable.REFUSE.value,
            "While the state store is unreachable: refuse (503 for AI requests that need it) "
            "or local (enforce with this instance's own counters and mark the events).",
        )
        loader.add_option(
            "warden_state_namespace",
            str,
            "default",
            "Key prefix part in the state store, so deployments can share one server.",
        )

    def configure(self, updated: set[str]) -> None:
        if not any(name.startswith("warden_state") for name in updated):
            return
        opts = ctx.options
        try:
            self.mode = Unreachable(opts.warden_state_unreachable)
        except ValueError:
            raise exceptions.OptionsError(
                "warden_state_unreachable must be 'refuse' or 'local'"
            ) from None
        if not opts.warden_state:
            self.settings = None
            return
        try:
            self.settings = RedisSettings.parse(
                opts.warden_state,
                ca_file=Path(opts.warden_state_ca) if opts.warden_state_ca else None,
                password_file=(
                    Path(opts.warden_state_password_file)
                    if opts.warden_state_password_file
                    else None
                ),
                namespace=opts.warden_state_namespace,
            )
        except ConfigError as e:
            raise exceptions.OptionsError(str(e)) from e

    def running(self) -> None:
        if self.settings is None:
            return
        self.shared = SharedState(self.settings, self.mode)
        log.info(
            "shared state in %s (namespace %s; when unreachable: %s)",
            self.settings.redacted(),
            self.settings.namespace,
            self.mode,
        )
        self._prober = asyncio.get_running_loop().create_task(self._probe_forever())

    def done(self) -> None:
        if self._prober is not None:
            self._prober.cancel()

    def problem(self) -> str | None:
        """For /healthz: None when no shared store is configured or it answers."""
        return self.shared.health.problem() if self.shared is not None else None

    async def _probe_forever(self) -> None:
        assert self.shared is not None
        shared = self.shared
        while True:
            # A ping can wait up to its timeout: never on the loop that serves requests.
            await asyncio.to_thread(shared.health.probe, shared.remote)
            await asyncio.sleep(PROBE_INTERVAL_S)
