"""`warden users`: manage the proxy-auth users file."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from warden.identity import UsersFile


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("users", help="manage the proxy-auth users file")
    users_sub = users.add_subparsers(required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="add or change a user (bcrypt)")
    add.add_argument("name")
    add.add_argument("--file", type=Path, default=Path("policies/users.htpasswd"))
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=_users_add)


def _users_add(args: argparse.Namespace) -> int:
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
