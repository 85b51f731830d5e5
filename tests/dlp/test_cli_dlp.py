"""`warden dlp scan` as an admin uses it: same engine and policy settings as the proxy."""

from __future__ import annotations

import json
from pathlib import Path

from tests.dlp.fake_keys import FakeKeys
from tests.support.cli import CliResult, run_warden

KEY = FakeKeys(71).github()


def _run(*args: str, stdin: str = "", cwd: Path | None = None) -> CliResult:
    return run_warden("dlp", "scan", *args, stdin=stdin, cwd=cwd)


def test_scan_prints_findings_as_json_without_the_values(tmp_path: Path):
    result = _run("--data-dir", str(tmp_path), stdin=f"token {KEY} for ana@example.com\n")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["counts"] == {"GITHUB_TOKEN": 1, "EMAIL_ADDRESS": 1}
    assert KEY not in result.stdout and "ana@example.com" not in result.stdout
    assert (tmp_path / "dlp-salt").exists()


def test_redact_prints_the_redacted_text(tmp_path: Path):
    source = tmp_path / "prompt.txt"
    source.write_text(f"token {KEY} for ana@example.com\n")
    result = _run(str(source), "--redact", "--style", "placeholder", "--data-dir", str(tmp_path))
    assert result.stdout == "token <GITHUB_TOKEN_1> for <EMAIL_1>\n"


def test_the_policys_dlp_settings_apply(tmp_path: Path):
    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\ndlp: {entities: [SECRETS], deny_list: [Falcon]}\n")
    result = _run(
        "--policy", str(policy), "--redact", "--data-dir", str(tmp_path),
        stdin=f"Project Falcon: {KEY} ana@example.com",
    )  # fmt: skip
    assert (
        result.stdout == "Project [REDACTED:CUSTOM_TERM]: [REDACTED:GITHUB_TOKEN] ana@example.com"
    )
