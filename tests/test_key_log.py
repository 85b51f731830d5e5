"""Every `warden` command refuses to start while SSLKEYLOGFILE or MITMPROXY_SSLKEYLOGFILE is
set, before anything could create the key-log file or write a TLS session key into it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from warden.key_log import refusals

WARDEN = [sys.executable, "-m", "warden.cli"]
POLICY = Path(__file__).resolve().parent.parent / "policies" / "default.yaml"
VARIABLES = ("SSLKEYLOGFILE", "MITMPROXY_SSLKEYLOGFILE")


def _warden(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    return subprocess.run(
        [*WARDEN, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**clean, **env},
    )


COMMANDS = [
    ("policy", "check", str(POLICY)),
    # Opens TLS connections to webhook and SMTP sinks: the secrets would go to the file.
    ("alerts", "test", "--policy", str(POLICY)),
    ("run", "--no-dashboard", "--policy", "none", "--data-dir", "data", "--certs-dir", "certs"),
]


@pytest.mark.parametrize("variable", VARIABLES)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_command_with_a_key_log_in_the_environment_exits_2_and_creates_no_file(
    tmp_path: Path, variable: str, command: tuple[str, ...]
) -> None:
    keys = tmp_path / "keys.log"
    result = _warden(tmp_path, *command, **{variable: str(keys)})
    assert result.returncode == 2, result.stderr
    assert f"{variable} is set" in result.stderr
    assert "WARDEN_ALLOW_SSLKEYLOGFILE=1" in result.stderr
    assert result.stdout == ""
    assert not keys.exists()
    assert not (tmp_path / "data").exists() and not (tmp_path / "certs").exists()


def test_the_environment_override_lets_a_command_run(tmp_path: Path) -> None:
    keys = tmp_path / "keys.log"
    result = _warden(
        tmp_path,
        "policy",
        "check",
        str(POLICY),
        SSLKEYLOGFILE=str(keys),
        WARDEN_ALLOW_SSLKEYLOGFILE="1",
    )
    assert result.returncode == 0, result.stderr
    assert "SSLKEYLOGFILE" not in result.stderr


def test_run_takes_its_own_override_and_goes_on_to_vet_its_options(tmp_path: Path) -> None:
    result = _warden(
        tmp_path,
        *COMMANDS[2],
        "--allow-unsafe-option",
        "SSLKEYLOGFILE",
        "--set",
        "save_stream_file=flows",  # refused, so the proxy does not start
        SSLKEYLOGFILE=str(tmp_path / "keys.log"),
    )
    assert result.returncode == 2
    assert "save_stream_file is refused" in result.stderr
    assert "SSLKEYLOGFILE" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "environ", "refused"),
    [
        (["policy", "check", "p.yaml"], {}, []),
        (["policy", "check", "p.yaml"], {"SSLKEYLOGFILE": ""}, []),
        (["logs"], {"SSLKEYLOGFILE": "/k", "MITMPROXY_SSLKEYLOGFILE": "/m"}, sorted(VARIABLES)),
        (["logs"], {"SSLKEYLOGFILE": "/k", "WARDEN_ALLOW_SSLKEYLOGFILE": "1"}, []),
        (["logs"], {"SSLKEYLOGFILE": "/k", "WARDEN_ALLOW_SSLKEYLOGFILE": "0"}, ["SSLKEYLOGFILE"]),
        (["run", "--allow-unsafe-option", "SSLKEYLOGFILE"], {"SSLKEYLOGFILE": "/k"}, []),
        (["run", "--allow-unsafe-option=SSLKEYLOGFILE"], {"SSLKEYLOGFILE": "/k"}, []),
        (
            ["run", "--allow-unsafe-option", "SSLKEYLOGFILE"],
            {"MITMPROXY_SSLKEYLOGFILE": "/m"},
            ["MITMPROXY_SSLKEYLOGFILE"],
        ),
        # Only `warden run` has the flag; elsewhere it is an argument, not an override.
        (
            ["logs", "--allow-unsafe-option", "SSLKEYLOGFILE"],
            {"SSLKEYLOGFILE": "/k"},
            ["SSLKEYLOGFILE"],
        ),
    ],
)
def test_which_variables_are_refused(
    argv: list[str], environ: dict[str, str], refused: list[str]
) -> None:
    assert [name for name, _ in refusals(argv, environ)] == refused


def test_importing_the_entry_point_creates_no_key_log(tmp_path: Path) -> None:
    """The console script imports warden.cli before main() can check anything."""
    keys = tmp_path / "keys.log"
    subprocess.run(
        [sys.executable, "-c", "import warden.cli"],
        check=True,
        timeout=60,
        env={**os.environ, "SSLKEYLOGFILE": str(keys)},
    )
    assert not keys.exists()
