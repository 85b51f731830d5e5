"""`warden run`: start the proxy."""

from __future__ import annotations

import argparse
from pathlib import Path

from warden import onboarding
from warden.commands.paths import DEFAULT_IDENTITY, DEFAULT_POLICY, existing


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser("run", help="start the proxy")
    run.add_argument("--listen-host", default="127.0.0.1")
    run.add_argument("--listen-port", type=int, default=8080)
    run.add_argument("--data-dir", type=Path, default=Path("data"))
    run.add_argument("--certs-dir", type=Path, default=Path("certs"))
    run.add_argument("--policy", type=Path, default=None, help=f"default: {DEFAULT_POLICY}")
    run.add_argument("--identity", type=Path, default=None, help=f"default: {DEFAULT_IDENTITY}")
    run.add_argument("--catalog", type=Path, action="append", default=[], help="extra catalog")
    run.add_argument("--no-dashboard", action="store_true", help="do not start the dashboard")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any mitmproxy option, e.g. --set ssl_verify_upstream_trusted_ca=/path/ca.pem",
    )
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from addons.runner import ProxySettings, run_proxy  # mitmproxy loads only when running
    from warden.runtime import RuntimeConfig, WardenRuntime

    settings = ProxySettings(
        listen_host=args.listen_host,
        listen_port=args.listen_port,
        certs_dir=args.certs_dir,
        data_dir=args.data_dir,
        policy=existing(args.policy, DEFAULT_POLICY),
        identity=existing(args.identity, DEFAULT_IDENTITY),
        catalogs=args.catalog,
        mitmproxy_options=args.sets,
    )
    # Check the data files before anything starts, so a typo is one clear line, not a banner.
    WardenRuntime(RuntimeConfig(settings.policy, settings.identity, tuple(settings.catalogs)))
    proxy = f"{args.listen_host}:{args.listen_port}"
    print(onboarding.startup_banner(settings.certs_dir, proxy, settings.policy), flush=True)
    return run_proxy(settings)
