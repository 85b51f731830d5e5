"""`warden run` refuses a dangerous mitmproxy option before anything starts: a non-zero exit,
one line naming the option and why, no proxy listening and nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port

WARDEN = [sys.executable, "-m", "warden.cli"]


def _run(tmp_path: Path, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    port = free_port()
    args = [*WARDEN, "run", "--no-dashboard", "--listen-port", str(port)]
    args += ["--data-dir", str(tmp_path / "data"), "--certs-dir", str(tmp_path / "certs")]
    try:
        # Started, the proxy would run until stopped: a timeout here means it was not refused.
        return subprocess.run(
            [*args, *extra],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=30,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"warden run started with {extra}")


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("save_stream_file={dump}", "writes decrypted flows"),
        ("hardump={dump}", "HAR file"),
        ("stream_large_bodies=1", "before DLP has read them"),
        ("scripts={dump}", "loads addons"),
        ("no_such_option=1", "is not on Warden's list"),
    ],
)
def test_a_dangerous_or_unknown_option_is_refused_before_the_proxy_starts(
    tmp_path: Path, spec: str, why: str
) -> None:
    dump = tmp_path / "flows"
    result = _run(tmp_path, "--set", spec.format(dump=dump))
    assert result.returncode == 2
    name = spec.partition("=")[0]
    assert f"warden run: {name} is refused because it" in result.stderr
    assert why in result.stderr
    assert f"--allow-unsafe-option {name}" in result.stderr
    assert "Egress Warden" not in result.stdout  # no banner: nothing started
    assert not dump.exists() and not (tmp_path / "certs").exists()


def test_a_tls_key_log_file_in_the_environment_is_refused(tmp_path: Path) -> None:
    keys = tmp_path / "keys.log"
    result = _run(tmp_path, env={"SSLKEYLOGFILE": str(keys)})
    assert result.returncode == 2
    assert "SSLKEYLOGFILE is refused because it" in result.stderr
    # Python's ssl module opens the file as soon as any library builds a default context;
    # what matters is that no key went into it.
    assert not keys.exists() or keys.stat().st_size == 0
