"""`warden ca` and `warden pac`: what devices need to trust and find the proxy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from warden import onboarding
from warden.catalog import Catalog


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ca = sub.add_parser("ca", help="create the CA if needed; print its path and install steps")
    ca.add_argument("--certs-dir", type=Path, default=Path("certs"))
    ca.add_argument("--proxy", default="127.0.0.1:8080", help="host:port devices use")
    ca.set_defaults(func=_ca)

    pac = sub.add_parser("pac", help="print the PAC file that sends only AI hosts to the proxy")
    pac.add_argument(
        "--proxy",
        action="append",
        default=[],
        help="host:port devices use (default 127.0.0.1:8080); give it once per Warden instance, "
        "in the order devices should try them",
    )
    pac.add_argument("--catalog", type=Path, action="append", default=[])
    pac.set_defaults(func=_pac)


def _ca(args: argparse.Namespace) -> int:
    from addons.certs import ca_cert_path, ensure_ca  # mitmproxy's CA format

    created = ensure_ca(args.certs_dir)
    print(onboarding.ca_instructions(ca_cert_path(args.certs_dir), args.proxy, created))
    return 0


def _pac(args: argparse.Namespace) -> int:
    from warden.catalog.pac import render_pac

    proxies = args.proxy or ["127.0.0.1:8080"]
    try:
        sys.stdout.write(render_pac(Catalog.default(*args.catalog), proxies))
    except ValueError as e:
        print(f"warden pac: {e}", file=sys.stderr)
        return 2
    return 0
