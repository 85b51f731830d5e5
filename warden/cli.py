"""`warden`: run the proxy and work with its CA, PAC file, catalog, users and policies."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from warden import key_log
from warden.errors import ConfigError
from warden.private_files import private_umask

# Each module registers its own subcommands; add a module here to add a command.
COMMAND_MODULES = ("run", "ca", "catalog", "users", "policy", "logs", "alerts", "dlp", "dashboard")


def main(argv: list[str] | None = None) -> int:
    # Before the commands are imported: some of them build an SSL context at import, which
    # creates the key-log file and would write the keys of every TLS connection into it.
    refused = key_log.refusals(sys.argv[1:] if argv is None else argv, os.environ)
    for _, message in refused:
        print(f"warden: {message}", file=sys.stderr)
    if refused:
        return 2
    parser = argparse.ArgumentParser(prog="warden", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"warden.commands.{name}").register(sub)
    args = parser.parse_args(argv)
    try:
        # Whatever a command writes (records, exports, the proxy's and dashboard's files) is
        # its owner's alone, whatever umask the shell or service manager left.
        with private_umask():
            return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"warden: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
