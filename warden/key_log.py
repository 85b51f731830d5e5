"""Whether a `warden` command may start while the environment asks for a TLS key log.

Python's ssl module opens SSLKEYLOGFILE (mode 0644, before Warden's private umask) as soon as
any library builds a default context, and mitmproxy opens MITMPROXY_SSLKEYLOGFILE or
SSLKEYLOGFILE at import; both then write every TLS session key of the process into it. So
`warden.cli` asks this module first, before it imports any command, and this module imports
nothing that could build a context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from warden.proxy_options import KEYLOG_VARIABLES

__all__ = ["ALLOW_VARIABLE", "refusals"]

ALLOW_VARIABLE = "WARDEN_ALLOW_SSLKEYLOGFILE"
_RUN_FLAG = "--allow-unsafe-option"


def refusals(argv: Sequence[str], environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """The key-log variables that stop this command, each with the line that says why."""
    if environ.get(ALLOW_VARIABLE) == "1":
        return []
    return [
        (name, _message(name))
        for name in KEYLOG_VARIABLES
        if environ.get(name) and not _allowed_by_run(name, argv)
    ]


def _allowed_by_run(name: str, argv: Sequence[str]) -> bool:
    # Read before argparse exists: `warden run` would only go on to refuse it without the flag.
    if not argv or argv[0] != "run":
        return False
    return f"{_RUN_FLAG}={name}" in argv or (_RUN_FLAG, name) in pairwise(argv)


def _message(name: str) -> str:
    return (
        f"{name} is set, so Python's ssl module and mitmproxy would write every TLS session key "
        "of this command to that file, and with a packet capture it decrypts prompts, API keys "
        f"and passwords. Unset it, or accept this with {ALLOW_VARIABLE}=1 "
        f"(warden run: {_RUN_FLAG} {name})"
    )
