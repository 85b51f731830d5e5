"""`warden dashboard`: start the security dashboard; `warden dashboard users`: who may sign in.

The dashboard is a Streamlit app (dashboard/app.py) run as its own process, so a slow page
never touches the proxy's event loop. It reads the proxy's data directory and needs no lock
the proxy holds. `warden run` starts it too through start_dashboard().
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import IO

from warden import private_files
from warden.commands.paths import DEFAULT_POLICY
from warden.errors import ConfigError

__all__ = [
    "APP",
    "DEFAULT_PORT",
    "STREAMLIT_OPTIONS",
    "dashboard_command",
    "register",
    "start_dashboard",
]

PROJECT = Path(__file__).resolve().parents[2]
APP = PROJECT / "dashboard" / "app.py"
DEFAULT_PORT = 8501
DEFAULT_USERS = Path("policies/dashboard-users.yaml")
ROLES = ("admin", "analyst", "viewer")

# Headless, no telemetry, nothing that reaches outside the machine or eases an attack.
STREAMLIT_OPTIONS: dict[str, str] = {
    "server.headless": "true",  # never open a browser, never ask for an e-mail address
    "browser.gatherUsageStats": "false",  # no usage statistics to Streamlit
    "server.showEmailPrompt": "false",
    "server.fileWatcherType": "none",  # production: no reloads when files change
    "server.runOnSave": "false",
    "server.enableAgentApi": "false",  # no HTTP/MCP API that bypasses the sign-in page
    "server.enableXsrfProtection": "true",
    "global.developmentMode": "false",
    "client.toolbarMode": "minimal",  # no "Deploy" button or links to streamlit.io
    # Streamlit would list the files in dashboard/pages/ before the sign-in page replaces
    # them; the app's own navigation (after sign-in) is drawn at the top instead.
    "client.showSidebarNavigation": "false",
    "client.showErrorDetails": "type",  # tracebacks go to the log, not to the browser
    "client.showErrorLinks": "false",  # no "search Google / ask ChatGPT" links on errors
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    dash = sub.add_parser("dashboard", help="start the security dashboard (Streamlit)")
    dash.add_argument("--data-dir", type=Path, default=Path("data"))
    dash.add_argument("--host", default="127.0.0.1", help="address to listen on")
    dash.add_argument("--port", type=int, default=DEFAULT_PORT)
    dash.add_argument("--users", type=Path, default=DEFAULT_USERS, help="dashboard users file")
    dash.add_argument("--policy", type=Path, default=None, help=f"default: {DEFAULT_POLICY}")
    dash.add_argument(
        "--proxy", default="127.0.0.1:8080", help="HOST:PORT of the proxy, for the Health page"
    )
    dash.add_argument("--catalog", type=Path, action="append", default=[], help="extra catalog")
    dash.add_argument(
        "--refresh", type=int, default=30, help="seconds between page refreshes (0: off)"
    )
    dash.add_argument("--tls-cert", type=Path, default=None, help="serve HTTPS with this cert")
    dash.add_argument("--tls-key", type=Path, default=None, help="... and this key")
    dash.set_defaults(func=_run)

    actions = dash.add_subparsers(metavar="users", dest="dashboard_action")
    users = actions.add_parser("users", help="manage who may sign in to the dashboard")
    users_actions = users.add_subparsers(required=True, metavar="ACTION")
    add = users_actions.add_parser("add", help="add a user or change one's role and password")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--file", type=Path, default=DEFAULT_USERS)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=_users_add)
    listing = users_actions.add_parser("list", help="names and roles")
    listing.add_argument("--file", type=Path, default=DEFAULT_USERS)
    listing.set_defaults(func=_users_list)
    remove = users_actions.add_parser("remove", help="remove a user (signed-in sessions end)")
    remove.add_argument("name")
    remove.add_argument("--file", type=Path, default=DEFAULT_USERS)
    remove.set_defaults(func=_users_remove)


def dashboard_command(
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    tls: tuple[Path, Path] | None = None,
) -> list[str]:
    """The `streamlit run` command line, with every option that keeps it headless and quiet."""
    command = [sys.executable, "-m", "streamlit", "run", str(APP)]
    options = {**STREAMLIT_OPTIONS, "server.port": str(port), "server.address": host}
    if tls is not None:
        options["server.sslCertFile"], options["server.sslKeyFile"] = (str(p) for p in tls)
    for name, value in options.items():
        command += [f"--{name}", value]
    return command


def start_dashboard(
    data_dir: Path,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    users_file: Path = DEFAULT_USERS,
    *,
    policy: Path | None = None,
    proxy: str | None = None,
    catalogs: Sequence[Path] = (),
    refresh_s: int = 30,
    tls: tuple[Path, Path] | None = None,
    stdout: int | IO[bytes] | None = None,
    stderr: int | IO[bytes] | None = None,
) -> subprocess.Popen[bytes]:
    """Start the dashboard as a child process and return it; the caller stops it
    (terminate(), then wait()). `proxy` is the HOST:PORT the Health page checks."""
    from dashboard.settings import DashboardSettings

    settings = DashboardSettings(
        data_dir=data_dir,
        users_file=users_file,
        policy=policy or DEFAULT_POLICY,
        proxy=proxy,
        refresh_s=refresh_s,
        catalogs=tuple(catalogs),
    )
    env = {
        **os.environ,
        **settings.to_env(),
        # The app imports `dashboard.*`: the project root must be importable in the child
        # even when Warden is installed without it on the path.
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(PROJECT), os.environ.get("PYTHONPATH", "")) if p
        ),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    # Reviews (SQLite and its side files) are private even when the caller is not `warden`.
    return subprocess.Popen(
        dashboard_command(port, host, tls),
        env=env,
        stdout=stdout,
        stderr=stderr,
        umask=private_files.child_umask(),
    )


def _run(args: argparse.Namespace) -> int:
    from dashboard.auth.users import DashboardUsers

    if args.users.exists():
        users = DashboardUsers.load(args.users)  # a broken file is one clear error, now
        if not users.users:
            print(f"warden: {args.users} has no users yet", file=sys.stderr)
    else:
        print(
            f"warden: no dashboard users yet; create one with\n"
            f"  warden dashboard users add NAME --role admin --file {args.users}",
            file=sys.stderr,
        )
    if (args.tls_cert is None) != (args.tls_key is None):
        raise ConfigError("give both --tls-cert and --tls-key, or neither")
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    if tls is None and not _is_loopback(args.host):
        print(
            f"warden: the dashboard on {args.host} serves plain HTTP; passwords cross the "
            "network in clear unless a TLS reverse proxy is in front (or use --tls-cert/--tls-key)",
            file=sys.stderr,
        )
    policy = args.policy if args.policy is not None else DEFAULT_POLICY
    for line in private_files.describe(private_files.tighten(args.data_dir), args.data_dir):
        print(f"warden: {line}", file=sys.stderr)
    child = start_dashboard(
        args.data_dir,
        args.port,
        args.host,
        args.users,
        policy=policy,
        proxy=args.proxy or None,
        catalogs=args.catalog,
        refresh_s=max(0, args.refresh),
        tls=tls,
    )
    scheme = "https" if tls else "http"
    print(f"Egress Warden dashboard on {scheme}://{args.host}:{args.port}", flush=True)

    def stop(signum: int, _frame: FrameType | None) -> None:
        child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        return child.wait()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _users_add(args: argparse.Namespace) -> int:
    from dashboard.auth.roles import Role
    from dashboard.auth.users import DashboardUsers, valid_name

    if not valid_name(args.name):
        print(f"warden: {args.name!r}: letters, digits and . _ @ + - only", file=sys.stderr)
        return 1
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Dashboard password for {args.name}: ")
        if password != getpass.getpass("Again: "):
            print("warden: passwords differ; nothing changed", file=sys.stderr)
            return 1
    if len(password) < 8:
        print("warden: use at least 8 characters; nothing changed", file=sys.stderr)
        return 1
    users = DashboardUsers.load(args.file) if args.file.exists() else DashboardUsers()
    users.with_user(args.name, Role(args.role), password).save(args.file)
    print(f"{args.file}: {args.name} saved as {args.role} (bcrypt)")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from dashboard.auth.users import DashboardUsers

    if not args.file.exists():
        print(f"{args.file}: no users file yet", file=sys.stderr)
        return 1
    for name, user in sorted(DashboardUsers.load(args.file).users.items()):
        print(f"{name}\t{user.role.value}")
    return 0


def _users_remove(args: argparse.Namespace) -> int:
    from dashboard.auth.users import DashboardUsers

    users = DashboardUsers.load(args.file) if args.file.exists() else DashboardUsers()
    if args.name not in users.users:
        print(f"warden: {args.file}: no user {args.name!r}", file=sys.stderr)
        return 1
    users.without_user(args.name).save(args.file)
    print(f"{args.file}: {args.name} removed")
    return 0
