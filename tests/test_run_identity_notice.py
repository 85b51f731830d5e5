"""`warden run` says which identity file is in force, and warns when proxy login was dropped
because the identity file was looked for in the wrong directory."""

from __future__ import annotations

from pathlib import Path

import pytest

import addons.runner
from warden.cli import main as warden

IDENTITY = "version: 1\nsources: [network]\nnetwork: [{cidr: 10.0.0.0/8, user: alice}]\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project dir with a policy and an identity file; the proxy start is stubbed."""
    monkeypatch.setattr(addons.runner, "run_proxy", lambda _settings: 0)
    policies = tmp_path / "proj" / "policies"
    policies.mkdir(parents=True)
    (policies / "default.yaml").write_text("version: 1\nname: p\n")
    (policies / "identity.yaml").write_text(IDENTITY)
    return tmp_path / "proj"


def _run(tmp_path: Path, *extra: str) -> int:
    common = ["--no-dashboard", "--data-dir", str(tmp_path / "data")]
    return warden(["run", *common, "--certs-dir", str(tmp_path / "certs"), *extra])


def test_started_elsewhere_with_an_absolute_policy_warns_that_there_is_no_proxy_login(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    policy = project / "policies" / "default.yaml"
    assert _run(tmp_path, "--policy", str(policy)) == 0
    out, err = capsys.readouterr()
    assert "identity: none — every user is anonymous, no proxy login" in out
    assert "warden run: warning: no identity file" in err
    assert f"--identity {project / 'policies' / 'identity.yaml'}" in err


def test_the_banner_names_the_identity_file_in_force_and_nothing_is_warned(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(project)
    assert _run(tmp_path) == 0
    out, err = capsys.readouterr()
    assert "identity: policies/identity.yaml" in out
    assert "warning" not in err


def test_no_warning_when_the_policy_is_in_the_project_or_none_is_chosen(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    (project / "policies" / "identity.yaml").unlink()
    monkeypatch.chdir(project)
    assert _run(tmp_path, "--policy", str(project / "policies" / "default.yaml")) == 0
    assert _run(tmp_path, "--policy", "none") == 0
    out, err = capsys.readouterr()
    assert "identity: none" in out and "warning" not in err
