"""Test hosts on one machine: network namespaces joined to the test's own by veth pairs.

Each host is a namespace (`ip netns add`) with one veth pair: the test's (root) namespace
keeps one end with `host_ip`, the namespace gets the other with `ip`, in a /24 of its own
(10.231.X.0/24, X picked so that no address or route already on the machine overlaps).
A namespace has no default route: a process inside reaches its own loopback and the test's
end of the veth, nothing else, and nothing else on the machine (interfaces, routes) is
touched. `joined_hosts()` removes every link and namespace it made on the way out, whatever
happened in between (needs root; see `netns_skip_reason`).
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.namespace import mount_namespace_skip_reason, netns_command

__all__ = ["NetnsHost", "joined_hosts", "netns_skip_reason"]

# 10.231.0.0/16: private, and not one of the ranges Docker, libvirt or VPNs pick by default.
_PREFIX = "10.231"


@dataclass(frozen=True)
class NetnsHost:
    """One namespace: `ip` inside it, `host_ip` on the test's end of its veth."""

    namespace: str
    link: str  # the test's end of the veth, in the root namespace
    ip: str
    host_ip: str

    @property
    def network(self) -> str:
        return str(ipaddress.ip_network(f"{self.ip}/24", strict=False))

    def command(self, cmd: list[str], hosts_file: Path | None = None) -> list[str]:
        """`cmd` run inside this host; with `hosts_file` as its /etc/hosts if given.

        `ip netns exec`, unshare and sh all exec: the process started *is* `cmd`."""
        inner = netns_command(cmd, hosts_file) if hosts_file is not None else cmd
        return ["ip", "netns", "exec", self.namespace, *inner]


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


@functools.cache
def netns_skip_reason() -> str | None:
    """None when test hosts can be made here, else why not (for pytest.skip)."""
    if os.geteuid() != 0:
        return "network namespaces (ip netns add) need root"
    if shutil.which("ip") is None:
        return "'ip' (iproute2) not found on PATH"
    return mount_namespace_skip_reason()


def _taken_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 network the machine has an address in or a route to (the default excluded)."""
    taken = []
    for entry in json.loads(_ip("-j", "-4", "addr").stdout or "[]"):
        for addr in entry.get("addr_info", []):
            taken.append(ipaddress.ip_network(f"{addr['local']}/{addr['prefixlen']}", False))
    for route in json.loads(_ip("-j", "-4", "route", "show", "table", "all").stdout or "[]"):
        dst = route.get("dst", "default")
        if dst != "default":
            with contextlib.suppress(ValueError):
                taken.append(ipaddress.ip_network(dst, strict=False))
    return taken


def _free_subnets(count: int) -> list[int]:
    taken = _taken_networks()
    free = [
        x
        for x in range(1, 255)
        if not any(ipaddress.ip_network(f"{_PREFIX}.{x}.0/24").overlaps(t) for t in taken)
    ]
    if len(free) < count:
        raise RuntimeError(f"fewer than {count} free /24s in {_PREFIX}.0.0/16")
    start = secrets.randbelow(len(free) - count + 1)
    return free[start : start + count]


def _remove(host: NetnsHost) -> list[str]:
    """Delete the link and the namespace; what could not be deleted, for the error."""
    problems = []
    # Deleting one end of a veth deletes both; the namespace stays until its last process
    # exits, but has no name and no link left to anything once this returns.
    if _ip("link", "show", host.link, check=False).returncode == 0:
        result = _ip("link", "del", host.link, check=False)
        if result.returncode:
            problems.append(f"link {host.link}: {result.stderr.strip()}")
    if host.namespace in _ip("netns", "list", check=False).stdout.split():
        result = _ip("netns", "del", host.namespace, check=False)
        if result.returncode:
            problems.append(f"netns {host.namespace}: {result.stderr.strip()}")
    return problems


@contextlib.contextmanager
def joined_hosts(count: int) -> Iterator[list[NetnsHost]]:
    """`count` test hosts, each in its own /24; all removed again on the way out."""
    token = secrets.token_hex(3)  # unique names: several runs may share the machine
    made: list[NetnsHost] = []
    try:
        for n, x in enumerate(_free_subnets(count)):
            host = NetnsHost(
                namespace=f"warden-e2e-{token}-{n}",
                link=f"wd{token}{n}h",  # at most 15 characters, as Linux requires
                ip=f"{_PREFIX}.{x}.2",
                host_ip=f"{_PREFIX}.{x}.1",
            )
            made.append(host)
            peer = f"wd{token}{n}n"
            _ip("netns", "add", host.namespace)
            # The peer is created inside the namespace: it never exists in the root one.
            veth = ("type", "veth", "peer", "name", peer, "netns", host.namespace)
            _ip("link", "add", host.link, *veth)
            _ip("addr", "add", f"{host.host_ip}/24", "dev", host.link)
            _ip("link", "set", host.link, "up")
            inside = ("-n", host.namespace)
            _ip(*inside, "addr", "add", f"{host.ip}/24", "dev", peer)
            _ip(*inside, "link", "set", peer, "up")
            _ip(*inside, "link", "set", "lo", "up")
        yield made
    finally:
        problems = [p for host in made for p in _remove(host)]
        if problems:
            raise RuntimeError("test hosts left behind: " + "; ".join(problems))
