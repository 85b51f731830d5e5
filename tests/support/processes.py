"""Ports and child processes for end-to-end tests, with no orphans left behind."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

# Safety net for the test process dying between __enter__ and __exit__ (e.g. KeyboardInterrupt
# in a fixture); not a substitute for using ProxyProcess as a context manager.
_LIVE: set[ProxyProcess] = set()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(
    host: str, port: int, timeout: float = 10.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until host:port accepts TCP; TimeoutError otherwise, RuntimeError if ``process``
    exits first (so a crashed server fails fast instead of after the whole timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        if port_accepts(host, port):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {host}:{port}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{host}:{port} not accepting connections after {timeout} s")
        time.sleep(0.05)


class ProxyProcess:
    """Run ``cmd`` in its own session, log to a file, wait for ``port``; kill the group on exit."""

    def __init__(
        self,
        cmd: list[str],
        port: int,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        startup_timeout: float = 30.0,
        kill_timeout: float = 5.0,
    ) -> None:
        self.cmd = list(cmd)
        self.host, self.port = host, port
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix="warden-proc-", suffix=".log")
            os.close(fd)
            log_path = Path(name)
        self.log_path = Path(log_path)
        self.env, self.cwd = env, cwd
        self.startup_timeout, self.kill_timeout = startup_timeout, kill_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """http://host:port, the form HTTP clients take as a proxy URL."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> Self:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.cwd,
            # Own process group, so stop() can take down anything the command spawned.
            start_new_session=True,
        )
        _LIVE.add(self)
        try:
            wait_for_port(self.host, self.port, self.startup_timeout, self.process)
        except (TimeoutError, RuntimeError) as exc:
            self.stop()
            raise RuntimeError(
                f"{self.cmd[0]} did not come up on {self.host}:{self.port}: {exc}\n"
                f"--- log {self.log_path} ---\n{self.log_text()}"
            ) from None
        return self

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.process is not None
        # The session id equals the child's pid; signalling the group also reaches
        # grandchildren even after the leader has exited.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    def stop(self) -> int | None:
        """SIGTERM the group, SIGKILL after kill_timeout; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(self.kill_timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()
        # Stragglers that ignored SIGTERM or outlived the leader.
        self._signal_group(signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        _LIVE.discard(self)
        return self.process.returncode

    @property
    def returncode(self) -> int | None:
        return self.process.poll() if self.process else None

    def log_text(self) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@atexit.register
def _kill_leftovers() -> None:
    for proc in list(_LIVE):
        proc.kill_timeout = 1.0
        proc.stop()
