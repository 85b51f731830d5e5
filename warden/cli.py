"""`warden`: run the proxy and work with its CA, PAC file, catalog and users."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from warden import onboarding
from warden.errors import ConfigError

DEFAULT_POLICY = Path("policies/default.yaml")
DEFAULT_IDENTITY = Path("policies/identity.yaml")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"warden: {e}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warden", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

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

    ca = sub.add_parser("ca", help="create the CA if needed; print its path and install steps")
    ca.add_argument("--certs-dir", type=Path, default=Path("certs"))
    ca.add_argument("--proxy", default="127.0.0.1:8080", help="host:port devices use")
    ca.set_defaults(func=_ca)

    pac = sub.add_parser("pac", help="print the PAC file that sends only AI hosts to the proxy")
    pac.add_argument("--proxy", default="127.0.0.1:8080", help="host:port devices use")
    pac.add_argument("--catalog", type=Path, action="append", default=[])
    pac.set_defaults(func=_pac)

    cat = sub.add_parser("catalog", help="look up hosts in the AI catalog")
    cat.add_argument("hosts", nargs="*", help="hosts to look up; none lists the catalog")
    cat.add_argument("--catalog", type=Path, action="append", default=[])
    cat.add_argument("--json", action="store_true")
    cat.set_defaults(func=_catalog)

    users = sub.add_parser("users", help="manage the proxy-auth users file")
    users_sub = users.add_subparsers(required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="add or change a user (bcrypt)")
    add.add_argument("name")
    add.add_argument("--file", type=Path, default=Path("policies/users.htpasswd"))
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=_users_add)
    return parser


def _existing(path: Path | None, default: Path) -> Path | None:
    if path is not None:
        if not path.exists():
            raise ConfigError(f"{path}: no such file")
        return path
    return default if default.exists() else None


def _run(args: argparse.Namespace) -> int:
    from addons.runner import ProxySettings, run_proxy  # mitmproxy loads only when running

    settings = ProxySettings(
        listen_host=args.listen_host,
        listen_port=args.listen_port,
        certs_dir=args.certs_dir,
        data_dir=args.data_dir,
        policy=_existing(args.policy, DEFAULT_POLICY),
        identity=_existing(args.identity, DEFAULT_IDENTITY),
        catalogs=args.catalog,
        mitmproxy_options=args.sets,
    )
    # Check the data files before anything starts, so a typo is one clear line, not a banner.
    from warden.runtime import RuntimeConfig, WardenRuntime

    WardenRuntime(RuntimeConfig(settings.policy, settings.identity, tuple(settings.catalogs)))
    proxy = f"{args.listen_host}:{args.listen_port}"
    print(onboarding.startup_banner(settings.certs_dir, proxy, settings.policy), flush=True)
    return run_proxy(settings)


def _ca(args: argparse.Namespace) -> int:
    from addons.certs import ca_cert_path, ensure_ca

    created = ensure_ca(args.certs_dir)
    print(onboarding.ca_instructions(ca_cert_path(args.certs_dir), args.proxy, created))
    return 0


def _load_catalog(extra: list[Path]):  # type: ignore[no-untyped-def]
    from warden.catalog import Catalog

    return Catalog.default(*extra)


def _pac(args: argparse.Namespace) -> int:
    from warden.catalog.pac import render_pac

    sys.stdout.write(render_pac(_load_catalog(args.catalog), args.proxy))
    return 0


def _catalog(args: argparse.Namespace) -> int:
    catalog = _load_catalog(args.catalog)
    entries = [catalog.lookup(h) for h in args.hosts] if args.hosts else list(catalog.entries)
    rows = []
    for host, entry in zip(args.hosts or [None] * len(entries), entries, strict=True):
        row = {"host": host} if host else {}
        if entry is None:
            row["match"] = None
        else:
            row.update(
                id=entry.id,
                name=entry.name,
                kind=str(entry.kind),
                schema=entry.schema,
                sanctioned=str(entry.sanctioned),
                hosts=list(entry.hosts),
            )
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            if row.get("match", "") is None:
                print(f"{row['host']}: not an AI host (tunnelled, not decrypted)")
            else:
                prefix = f"{row['host']}: " if "host" in row else ""
                print(
                    f"{prefix}{row['id']:<22} {row['kind']:<9} {row['schema']:<18} "
                    f"{row['sanctioned']:<12} {', '.join(row['hosts'])}"
                )
    return 0 if all(r.get("match", "") is not None for r in rows) else 1


def _users_add(args: argparse.Namespace) -> int:
    from warden.identity import UsersFile

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if password != getpass.getpass("Again: "):
            print("warden: passwords differ; nothing changed", file=sys.stderr)
            return 1
    if not password:
        print("warden: empty password; nothing changed", file=sys.stderr)
        return 1
    users = UsersFile.load(args.file) if args.file.exists() else UsersFile({}, args.file)
    args.file.parent.mkdir(parents=True, exist_ok=True)
    args.file.write_text(users.with_user(args.name, password).dump(), encoding="utf-8")
    args.file.chmod(0o600)
    print(f"{args.file}: {args.name} saved (bcrypt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
