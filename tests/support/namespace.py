"""Run a process with its own /etc/hosts, via a private mount namespace (needs root).

The proxy must resolve the real provider names to the mock's loopback address, while the test
process and everything else on the machine keep the real /etc/hosts.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

# "$0" is the hosts file and "$@" the command: both arrive as separate argv entries, so no
# part of either is ever parsed by the shell.
_SCRIPT = 'mount --bind "$0" /etc/hosts && exec "$@"'
_PROBE_NAME = "warden-netns-probe.invalid"


def write_hosts_file(path: Path, ip: str, hostnames: Iterable[str]) -> Path:
    names = list(hostnames)
    for name in names:
        if not name or any(c.isspace() or c == "#" for c in name):
            raise ValueError(f"invalid host name for a hosts file: {name!r}")
    lines = [
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        f"{ip}\t{' '.join(names)}",
    ]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path


def netns_command(cmd: list[str], hosts_file: Path) -> list[str]:
    """Wrap ``cmd`` so it runs in a private mount namespace with ``hosts_file`` as /etc/hosts.

    unshare and sh both exec, so the resulting process *is* ``cmd`` (same pid, signals reach it).
    """
    if not cmd:
        raise ValueError("empty command")
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        _SCRIPT,
        str(Path(hosts_file).resolve()),
        *cmd,
    ]


@functools.cache
def mount_namespace_skip_reason() -> str | None:
    """None when netns_command works here, else why not (for pytest.skip)."""
    if os.geteuid() != 0:
        return "private mount namespaces need root"
    for tool in ("unshare", "mount", "sh"):
        if shutil.which(tool) is None:
            return f"{tool!r} not found on PATH"
    with tempfile.TemporaryDirectory() as tmp:
        hosts = write_hosts_file(Path(tmp) / "hosts", "127.0.0.1", [_PROBE_NAME])
        try:
            result = subprocess.run(
                netns_command(["cat", "/etc/hosts"], hosts),
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"trial mount namespace failed: {exc}"
    if result.returncode != 0 or _PROBE_NAME not in result.stdout:
        return f"trial mount namespace failed (rc={result.returncode}): {result.stderr.strip()}"
    return None


def can_use_mount_namespace() -> bool:
    return mount_namespace_skip_reason() is None
