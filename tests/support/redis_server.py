"""A real redis-server on a free loopback port, in a temporary directory, for one test.

Started as `redis-server --port P --bind 127.0.0.1 --save "" --appendonly no`: nothing is
written to disk, so a restart (`stop()` then `start()`) comes back empty on the same port,
as a Redis without persistence does. `bind` adds addresses besides loopback (a test host's
end of a veth, tests/support/netns_hosts.py), never a wildcard. Tests that need it skip when
the Debian package `redis-server` is not installed (`make test` installs it when running as
root).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.support.processes import free_port, wait_for_port

__all__ = ["REDIS_SERVER", "RedisServer", "redis_server"]

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        password: str = "",
        bind: Sequence[str] = (),
    ) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.password = password  # requirepass: logins without it are refused
        if any(ip in ("0.0.0.0", "::", "*") for ip in bind):
            raise ValueError("bind the test's own addresses, not every interface")
        self.bind = ["127.0.0.1", *bind]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.url_at("127.0.0.1")

    def url_at(self, ip: str) -> str:
        """The URL for a client that reaches this server at `ip` (one of `bind`)."""
        return f"redis://{ip}:{self.port}/0"

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", *self.bind),
                # Without a password Redis answers only loopback clients unless told otherwise;
                # the other addresses bound are the test's own, reachable from test hosts only.
                *(("--protected-mode", "no") if len(self.bind) > 1 else ()),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
                *(("--requirepass", self.password) if self.password else ()),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.directory,
        )
        log.close()
        for ip in self.bind:
            wait_for_port(ip, self.port, timeout=10, process=self.process)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
