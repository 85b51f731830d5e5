"""`warden run`: start the proxy, and the dashboard beside it unless told not to."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warden import onboarding, private_files, proxy_options
from warden.commands.paths import (
    DEFAULT_IDENTITY,
    DEFAULT_POLICY,
    NO_POLICY,
    existing,
    missing_identity_warning,
    proxy_policy,
)
from warden.errors import ConfigError
from warden.state.redis_settings import PASSWORD_ENV, RedisSettings
from warden.store.layout import check_instance

if TYPE_CHECKING:
    from addons.runner import ProxySettings

DEFAULT_DASHBOARD_USERS = Path("policies/dashboard-users.yaml")
FIRST_ADMIN = "admin"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser("run", help="start the proxy (and the dashboard)")
    run.add_argument("--listen-host", default="127.0.0.1")
    run.add_argument("--listen-port", type=int, default=8080)
    run.add_argument("--data-dir", type=Path, default=Path("data"))
    run.add_argument("--certs-dir", type=Path, default=Path("certs"))
    run.add_argument(
        "--policy",
        default=None,
        metavar="FILE",
        help=f"policy file (default: {DEFAULT_POLICY}, which must then exist); "
        f"'{NO_POLICY}' runs with no policy at all",
    )
    run.add_argument("--identity", type=Path, default=None, help=f"default: {DEFAULT_IDENTITY}")
    run.add_argument("--catalog", type=Path, action="append", default=[], help="extra catalog")
    run.add_argument(
        "--pac-proxy",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="a Warden instance the served PAC file lists; once per instance, in the order "
        "devices should try them (default: the name the device reached this one under)",
    )
    run.add_argument(
        "--state",
        default=None,
        metavar="URL",
        help="shared state store for quota counters, coaching passes and alert windows across "
        "instances: "
        "redis://HOST:PORT/DB or rediss://HOST:PORT/DB (TLS); default: SQLite in --data-dir. "
        f"Password: the URL, the {PASSWORD_ENV} variable, or --state-password-file",
    )
    run.add_argument("--state-ca", type=Path, default=None, metavar="FILE", help="CA for rediss://")
    run.add_argument(
        "--state-password-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="file (mode 0600) holding the state store's password",
    )
    run.add_argument(
        "--state-unreachable",
        choices=("refuse", "local"),
        default="refuse",
        help="while the state store is unreachable: refuse AI requests that need it (503) "
        "or enforce with this instance's own counters and mark the events",
    )
    run.add_argument(
        "--workers",
        default="1",
        metavar="N|auto",
        help="proxy processes sharing the listening port (SO_REUSEPORT), restarted by a "
        "supervisor if they die; auto: one per core (default: 1)",
    )
    run.add_argument(
        "--instance",
        default="",
        metavar="NAME",
        help="this Warden's name in an audit lake shared by several machines (--data-dir on "
        "a shared file system); its workers are NAME-w1, NAME-w2, ...",
    )
    run.add_argument("--no-dashboard", action="store_true", help="do not start the dashboard")
    run.add_argument("--dashboard-host", default="127.0.0.1")
    run.add_argument("--dashboard-port", type=int, default=8501)
    run.add_argument("--dashboard-users", type=Path, default=DEFAULT_DASHBOARD_USERS)
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a mitmproxy option Warden knows to be safe, e.g. "
        "--set ssl_verify_upstream_trusted_ca=/path/ca.pem (see README: refused options)",
    )
    run.add_argument(
        "--allow-unsafe-option",
        dest="allow_unsafe",
        action="append",
        default=[],
        metavar="NAME",
        help="let one refused mitmproxy option (or SSLKEYLOGFILE) through; logged at start",
    )
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # Before anything imports mitmproxy (which reads SSLKEYLOGFILE at import) or starts.
    refused = proxy_options.vet(args.sets, args.allow_unsafe, os.environ).refused
    for refusal in refused:
        print(f"warden run: {refusal.message()}", file=sys.stderr)
    if refused:
        return 2

    workers = _worker_count(args.workers)
    if args.instance:
        try:
            check_instance(args.instance)
        except ValueError as e:
            raise ConfigError(f"--instance: {e}") from None

    from addons.ldap_auth import LdapCheck
    from addons.runner import ProxySettings, run_proxy  # mitmproxy loads only when running
    from warden.runtime import RuntimeConfig, WardenRuntime

    settings = ProxySettings(
        listen_host=args.listen_host,
        listen_port=args.listen_port,
        certs_dir=args.certs_dir,
        data_dir=args.data_dir,
        policy=proxy_policy(args.policy),
        identity=existing(args.identity, DEFAULT_IDENTITY),
        catalogs=args.catalog,
        mitmproxy_options=args.sets + _pac_option(args.pac_proxy),
        state_options=_state_options(args),
        allowed_unsafe=frozenset(args.allow_unsafe),
        instance=args.instance,
    )
    if (warning := missing_identity_warning(args.policy, settings.identity)) is not None:
        print(f"warden run: {warning}", file=sys.stderr)
    # Check the data files before anything starts, so a typo is one clear line, not a banner.
    # (An LDAP check contacts its directory only at the first login: this reads the spec.)
    WardenRuntime(
        RuntimeConfig(
            settings.policy, settings.identity, tuple(settings.catalogs), ldap_factory=LdapCheck
        )
    )
    # An older version left the data directory readable by everyone; this one keeps it private.
    for line in private_files.describe(private_files.tighten(args.data_dir), args.data_dir):
        print(f"warden: {line}", file=sys.stderr)
    proxy = f"{args.listen_host}:{args.listen_port}"
    print(
        onboarding.startup_banner(settings.certs_dir, proxy, settings.policy, settings.identity),
        flush=True,
    )
    dashboard = None if args.no_dashboard else _start_dashboard(args, settings.policy, proxy)
    try:
        return run_proxy(settings) if workers == 1 else _supervise(settings, workers)
    finally:
        if dashboard is not None:
            dashboard.terminate()
            try:
                dashboard.wait(timeout=10)
            except subprocess.TimeoutExpired:
                dashboard.kill()


def _worker_count(value: str) -> int:
    if value == "auto":
        return max(1, len(os.sched_getaffinity(0)))
    try:
        count = int(value)
    except ValueError:
        count = 0
    if not 1 <= count <= 64:
        raise ConfigError(f"--workers {value!r}: a number from 1 to 64, or auto")
    return count


def _supervise(settings: ProxySettings, count: int) -> int:
    """Run `count` workers on the one port; returns when they have stopped."""
    import dataclasses
    import logging

    from addons.certs import ensure_ca
    from addons.worker import to_json
    from warden.workers import (
        Supervisor,
        WorkerProcess,
        ready_path,
        status_path,
        worker_command,
        worker_names,
    )

    names = worker_names(count, settings.instance)
    for name in names:
        try:
            check_instance(name)
        except ValueError as e:
            raise ConfigError(f"--instance with --workers {count}: {e}") from None
    _refuse_a_taken_port(settings.listen_host, settings.listen_port)
    _refuse_running_instances(settings.data_dir, names)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ensure_ca(settings.certs_dir)  # once, before the workers would race to create it
    if settings.listen_port == 0:
        settings.listen_port = _free_port(settings.listen_host)
    status_file = status_path(settings.data_dir, settings.instance)
    workers = []
    for name in names:
        worker = dataclasses.replace(
            settings, instance=name, reuse_port=True, workers_status=status_file
        )
        command = worker_command(to_json(worker))
        workers.append(WorkerProcess(name, command, ready_file=ready_path(status_file, name)))
    listed = ", ".join(names)
    print(f"  workers: {count} on port {settings.listen_port} ({listed})", flush=True)
    env = dict(os.environ, WARDEN_SUPERVISOR_PID=str(os.getpid()))
    return Supervisor(workers, status_file, env=env).run()


def _refuse_a_taken_port(host: str, port: int) -> None:
    """Workers share their port with each other only: a plain bind fails if anything
    listens there already, another `warden run --workers` included, which would otherwise
    silently share the port and take part of the traffic into its own audit log."""
    import socket

    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as e:
            raise ConfigError(f"{host}:{port} is already in use ({e.strerror})") from None


def _refuse_running_instances(data_dir: Path, names: list[str]) -> None:
    """Another Warden writing as one of these workers (a second `--workers` on this data
    directory) is refused now, with its pid, not after each worker waited for its lock."""
    from warden.store.layout import StoreLayout
    from warden.store.lock import StoreLocked, WriterLock

    for name in names:
        lock = WriterLock(StoreLayout(data_dir, name).lock_file)
        try:
            lock.acquire(0.0)
        except StoreLocked as e:
            raise ConfigError(f"{e} as {name}") from None
        lock.release()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _state_options(args: argparse.Namespace) -> dict[str, str]:
    """`--state` and friends as the proxy's options, checked first (a clear line, not a trace)."""
    if args.state is None:
        if args.state_ca or args.state_password_file:
            raise ConfigError("--state-ca and --state-password-file need --state")
        return {"warden_state_unreachable": args.state_unreachable}
    RedisSettings.parse(args.state, ca_file=args.state_ca, password_file=args.state_password_file)
    options = {"warden_state": args.state, "warden_state_unreachable": args.state_unreachable}
    if args.state_ca:
        options["warden_state_ca"] = str(args.state_ca)
    if args.state_password_file:
        options["warden_state_password_file"] = str(args.state_password_file)
    return options


def _pac_option(proxies: list[str]) -> list[str]:
    from warden.catalog.pac import check_proxy

    for proxy in proxies:
        try:
            check_proxy(proxy)
        except ValueError as e:
            raise ConfigError(f"--pac-proxy: {e}") from None
    return [f"warden_pac_proxies={','.join(proxies)}"] if proxies else []


def _start_dashboard(
    args: argparse.Namespace, policy: Path | None, proxy: str
) -> subprocess.Popen[bytes]:
    from warden.commands.dashboard import start_dashboard

    note = _ensure_first_admin(args.dashboard_users, args.data_dir)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    with (args.data_dir / "dashboard.log").open("ab") as log:  # the child keeps its own copy
        child = start_dashboard(
            args.data_dir,
            args.dashboard_port,
            args.dashboard_host,
            args.dashboard_users,
            policy=policy,
            proxy=proxy,
            catalogs=args.catalog,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{args.dashboard_host}:{args.dashboard_port}"
    print(f"  dashboard: {url}   (log: {args.data_dir / 'dashboard.log'}){note}", flush=True)
    return child


def _ensure_first_admin(users_file: Path, data_dir: Path) -> str:
    """On a first run nobody could sign in: create `admin` with a random password, kept in a
    file only this user can read, and say where it is (never print the password itself)."""
    if users_file.exists():
        return ""
    from dashboard.auth.roles import Role
    from dashboard.auth.users import DashboardUsers

    password = secrets.token_urlsafe(18)
    DashboardUsers().with_user(FIRST_ADMIN, Role.ADMIN, password).save(users_file)
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = data_dir / "dashboard-admin-password"
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    return (
        f"\n  first sign-in: user {FIRST_ADMIN}, password in {secret} (mode 0600); add "
        f"people with `warden dashboard users add NAME --role analyst`"
    )
