"""`warden run` refuses a dangerous mitmproxy option before anything starts: a non-zero exit,
one line naming the option and why, no proxy and nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import addons.runner
from warden.cli import main as warden

WARDEN = [sys.executable, "-m", "warden.cli"]


def _no_proxy(_settings: object) -> int:
    raise AssertionError("the proxy was started")


def _args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "run",
        "--no-dashboard",
        "--data-dir",
        str(tmp_path / "data"),
        "--certs-dir",
        str(tmp_path / "certs"),
        "--policy",
        "none",  # these tests are about mitmproxy options, not policies
        *extra,
    ]


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("save_stream_file={dump}", "writes decrypted flows"),
        ("hardump={dump}", "HAR file"),
        ("stream_large_bodies=1", "before DLP has read them"),
        ("scripts={dump}", "loads addons"),
        ("ignore_hosts=.*", "exempts hosts from decryption"),
        ("no_such_option=1", "is not on Warden's list"),
        ("ciphers_server=ADH-AES256-GCM-SHA384:@SECLEVEL=0", "without a certificate"),
        ("block_global=false", "open proxy"),
        ("tls_version_server_max=TLS1_2", "turns TLS 1.3 off"),
    ],
)
def test_a_dangerous_or_unknown_option_is_refused_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, spec: str, why: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(addons.runner, "run_proxy", _no_proxy)
    dump = tmp_path / "flows"
    assert warden(_args(tmp_path, "--set", spec.format(dump=dump))) == 2
    out, err = capsys.readouterr()
    name = spec.partition("=")[0]
    assert f"warden run: {name} is refused because it" in err
    assert why in err and f"--allow-unsafe-option {name}" in err
    assert out == ""  # no banner
    assert not dump.exists() and not (tmp_path / "certs").exists()
    assert not (tmp_path / "data").exists()


def test_the_override_lets_the_option_reach_the_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[addons.runner.ProxySettings] = []
    monkeypatch.setattr(addons.runner, "run_proxy", lambda s: started.append(s) or 0)
    monkeypatch.chdir(tmp_path)
    extra = ["--set", "hardump=x.har", "--allow-unsafe-option", "hardump"]
    assert warden(_args(tmp_path, *extra)) == 0
    [settings] = started
    assert settings.mitmproxy_options == ["hardump=x.har"]
    assert settings.allowed_unsafe == {"hardump"}  # the runner logs the warning


def test_the_command_exits_non_zero_and_a_tls_key_log_is_refused(tmp_path: Path) -> None:
    keys = tmp_path / "keys.log"
    try:
        # Started, the proxy would run until stopped: a timeout means it was not refused.
        result = subprocess.run(
            [*WARDEN, *_args(tmp_path, "--set", "save_stream_file=flows")],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=30,
            env={**os.environ, "SSLKEYLOGFILE": str(keys)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("warden run started")
    assert result.returncode == 2
    # Refused before the options are even read, and before anything could open the file.
    assert "warden: SSLKEYLOGFILE is set" in result.stderr
    assert not (tmp_path / "flows").exists()
    assert not keys.exists()
