"""The processes under test: the upstream mock, bare mitmdump, and `warden run`.

Wired like tests/e2e: both proxies run in a private mount namespace whose /etc/hosts points
api.openai.com at the mock on a random 127.x address, port 443; the load generator connects to
the proxies on 127.0.0.1 and needs no name resolution at all.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import (
    ProxyProcess,
    TestPKI,
    free_port,
    make_test_pki,
    netns_command,
    random_loopback_ip,
    write_hosts_file,
)

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: mitmdump and warden live next to python
HOSTNAME = "api.openai.com"
# Allow-all means no inspection work beyond the proxy spine: no rules and no DLP scan. The
# shipped default policy (DLP on) is measured as its own row.
ALLOW_ALL_POLICY = "version: 1\ndefault_action: allow\nrules: []\ndlp: {enabled: false}\n"
# The same with alerting off too: what the proxy spine costs without the prompt detectors.
SPINE_ONLY_POLICY = ALLOW_ALL_POLICY + "alerts: {enabled: false}\n"
DEFAULT_POLICY = Path(__file__).parents[1] / "policies" / "default.yaml"
UPSTREAM_ATTEMPTS = 5  # random loopback addresses to try if one is taken
CA_WAIT_S = 10.0


@dataclass(frozen=True)
class Upstream:
    ip: str
    port: int
    pki: TestPKI
    process: ProxyProcess


@dataclass(frozen=True)
class Proxy:
    port: int
    ca: Path  # the CA the proxy forges certificates with; clients trust only this
    process: ProxyProcess
    data_dir: Path | None = None  # Warden's, for its audit events


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process and all its threads so far (Linux /proc)."""
    if pid is None:
        return 0.0
    # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def helper_cpu_seconds(pid: int | None) -> float:
    """CPU time of every process `pid` started, and theirs (Warden's detection worker)."""
    if pid is None:
        return 0.0
    total = 0.0
    for child in _children(pid):
        try:
            total += cpu_seconds(child) + helper_cpu_seconds(child)
        except OSError:
            continue  # it exited between the listing and the read
    return total


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return children


def _env() -> dict[str, str]:
    # No proxy variables may leak into the children: they talk to the mock only.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return {**env, "PYTHONUNBUFFERED": "1"}


def _start(stack: contextlib.ExitStack, process: ProxyProcess) -> ProxyProcess:
    process.start()
    stack.callback(process.stop)
    return process


def start_upstream(stack: contextlib.ExitStack, work: Path) -> Upstream:
    pki = make_test_pki(work / "upstream-pki", [HOSTNAME])
    for attempt in range(UPSTREAM_ATTEMPTS):
        ip = random_loopback_ip()
        cmd = [sys.executable, "-m", "benchmarks.upstream", "--host", ip, "--port", "443"]
        cmd += ["--cert", str(pki.server_cert), "--key", str(pki.server_key)]
        process = ProxyProcess(
            cmd, 443, host=ip, log_path=work / "upstream.log", cwd=REPO, env=_env()
        )
        try:
            _start(stack, process)
        except RuntimeError:
            if attempt == UPSTREAM_ATTEMPTS - 1:
                raise
            continue  # most likely that address's port 443 is taken: try another
        return Upstream(ip, 443, pki, process)
    raise AssertionError("unreachable")


def _wait_for_file(path: Path, process: ProxyProcess) -> None:
    deadline = time.monotonic() + CA_WAIT_S
    while not path.exists():
        if time.monotonic() > deadline or process.returncode is not None:
            raise RuntimeError(f"{path} did not appear\n{process.log_text()}")
        time.sleep(0.05)


def start_mitmdump(
    stack: contextlib.ExitStack,
    work: Path,
    name: str,
    upstream: Upstream,
    extra: list[str],
    program: list[str] | None = None,
) -> Proxy:
    """Bare mitmdump: no addons, -q so it prints nothing per flow, its own throwaway CA.

    `program` runs something that takes mitmdump's options instead (benchmarks.base_proxy).
    """
    home = work / name
    confdir = home / "confdir"
    confdir.mkdir(parents=True)
    hosts = write_hosts_file(home / "hosts", upstream.ip, [HOSTNAME])
    port = free_port()
    cmd = [*(program or [str(BIN / "mitmdump")]), "-q", "--mode", "regular"]
    cmd += ["--listen-host", "127.0.0.1", "--listen-port", str(port)]
    cmd += ["--set", f"confdir={confdir}"]
    cmd += ["--set", f"ssl_verify_upstream_trusted_ca={upstream.pki.ca_cert}", *extra]
    env = {**_env(), "PYTHONPATH": str(REPO)}  # a `-m` program is found from the scratch dir
    process = ProxyProcess(
        netns_command(cmd, hosts), port, log_path=home / "mitmdump.log", cwd=home, env=env
    )
    _start(stack, process)
    ca = confdir / "mitmproxy-ca-cert.pem"
    _wait_for_file(ca, process)
    return Proxy(port, ca, process)


def start_warden(
    stack: contextlib.ExitStack,
    work: Path,
    upstream: Upstream,
    policy_text: str = ALLOW_ALL_POLICY,
    name: str = "warden",
    extra_args: list[str] | None = None,
) -> Proxy:
    """`warden run` with the given policy and no identity file (anonymous users)."""
    home = work / name
    home.mkdir(parents=True)
    policy = home / "policy.yaml"
    policy.write_text(policy_text)
    hosts = write_hosts_file(home / "hosts", upstream.ip, [HOSTNAME])
    certs, data = home / "certs", home / "data"
    port = free_port()
    cmd = [str(BIN / "warden"), "run", "--listen-port", str(port)]
    cmd += ["--data-dir", str(data), "--certs-dir", str(certs), "--policy", str(policy)]
    cmd += ["--no-dashboard", "--set", f"ssl_verify_upstream_trusted_ca={upstream.pki.ca_cert}"]
    cmd += extra_args or []
    # cwd is the scratch dir, so the repo's policies/identity.yaml is not picked up by default.
    # This checkout's code, whatever the venv's editable install points at (a relative
    # PYTHONPATH such as `.` would name the scratch dir).
    env = {**_env(), "PYTHONPATH": str(REPO)}
    process = ProxyProcess(
        netns_command(cmd, hosts), port, log_path=home / "warden.log", cwd=home, env=env
    )
    _start(stack, process)
    ca = certs / "mitmproxy-ca-cert.pem"
    _wait_for_file(ca, process)
    return Proxy(port, ca, process, data_dir=data)
