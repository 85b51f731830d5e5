"""Embeds mitmproxy as `warden run`: one proxy process (or one worker of `--workers N`), regular
forward-proxy mode, Warden's addons."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mitmproxy import ctx, exceptions, options

from addons import make_addons, reuse_port, ws_control
from addons.certs import ensure_ca
from addons.master import WardenMaster
from warden import proxy_options
from warden.workers import ready_path

__all__ = ["ProxySettings", "run_proxy"]

log = logging.getLogger("warden.runner")


@dataclass
class ProxySettings:
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    certs_dir: Path = Path("certs")
    data_dir: Path = Path("data")
    policy: Path | None = None
    identity: Path | None = None
    catalogs: list[Path] = field(default_factory=list)
    mitmproxy_options: list[str] = field(default_factory=list)  # "name=value", as in --set
    allowed_unsafe: frozenset[str] = frozenset()  # --allow-unsafe-option: warned about
    # warden_state* from --state and friends, checked by `warden run` (not --set: vetted away)
    state_options: dict[str, str] = field(default_factory=dict)
    instance: str = ""  # this process's name in the audit lake (`--instance`, a worker's)
    reuse_port: bool = False  # a worker of `--workers N`: share the port (reuse_port.py)
    workers_status: Path | None = None  # the supervisor's status file, for /healthz


class _Serving:
    """Tells the supervisor this worker started: a worker that exits without saying so
    failed to start (a locked store, a port in use), and after three in a row for every
    worker the supervisor gives up instead of restarting them forever."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def running(self) -> None:
        asyncio.get_running_loop().create_task(self._announce())

    async def _announce(self) -> None:
        await asyncio.sleep(1.0)  # past mitmproxy's check for errors logged at start-up
        if not ctx.master.should_exit.is_set():
            await asyncio.to_thread(self._path.write_text, f"{os.getpid()}\n")


def run_proxy(settings: ProxySettings) -> int:
    return asyncio.run(_main(settings))


async def _main(settings: ProxySettings) -> int:
    logging.getLogger().setLevel(logging.INFO)
    for noisy in ("asyncio", "hpack", "tornado", "quic", "presidio-analyzer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # pypdf warns about every malformed object of an uploaded PDF; files.py reports the outcome.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    # `warden run` vetted these already; checked again here, where they reach mitmproxy, so
    # no other way of starting the proxy skips it.
    vetting = proxy_options.vet(settings.mitmproxy_options, settings.allowed_unsafe, os.environ)
    if vetting.refused:
        for refusal in vetting.refused:
            print(f"warden run: {refusal.message()}", file=sys.stderr)
        return 2
    ensure_ca(settings.certs_dir)
    if settings.reuse_port:
        reuse_port.install()
    ws_control.install()  # WebSocket control frames leave empty (see ws_control.py)
    opts = options.Options()
    master = WardenMaster(opts)
    master.addons.add(*make_addons())
    if settings.workers_status is not None:
        # Last, so that it runs after every other addon's `running` hook has succeeded.
        master.addons.add(_Serving(ready_path(settings.workers_status, settings.instance)))
    for override in vetting.overridden:
        log.warning(override.warning())
    if (settings.certs_dir / "config.yaml").exists():
        # mitmdump would load it; the embedded proxy takes options from `--set` only, where
        # they are vetted.
        log.warning(
            "%s is ignored: warden run takes mitmproxy options only from --set",
            settings.certs_dir / "config.yaml",
        )
    try:
        opts.update(
            mode=["regular"],
            listen_host=settings.listen_host,
            listen_port=settings.listen_port,
            confdir=str(settings.certs_dir),
            # Devices get their CA and PAC from Warden itself, not from mitm.it.
            onboarding=False,
            warden_data_dir=str(settings.data_dir),
            warden_policy=str(settings.policy) if settings.policy else "",
            warden_identity=str(settings.identity) if settings.identity else "",
            warden_catalog=",".join(str(p) for p in settings.catalogs),
            warden_instance=settings.instance,
            warden_workers_status=str(settings.workers_status or ""),
            **settings.state_options,
        )
        if settings.mitmproxy_options:
            opts.set(*settings.mitmproxy_options)
    except (exceptions.OptionsError, KeyError) as e:
        print(f"warden run: {e}", file=sys.stderr)
        return 2

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, master.shutdown)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    await master.run()
    return 0
