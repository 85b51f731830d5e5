"""The dashboard users file and `warden dashboard users`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dashboard.auth.roles import Role
from dashboard.auth.users import DashboardUsers
from warden.cli import main as warden
from warden.errors import ConfigError


def add(path: Path, name: str, role: str, password: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return warden(
        ["dashboard", "users", "add", name, "--role", role, "--file", str(path), "--password-stdin"]
    )


def test_users_add_writes_a_bcrypt_hash_and_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "policies" / "dashboard-users.yaml"
    assert add(path, "ann", "analyst", "correct horse battery", monkeypatch) == 0
    assert add(path, "vic", "viewer", "another long one", monkeypatch) == 0
    text = path.read_text()
    assert "correct horse" not in text and "$2b$" in text
    assert path.stat().st_mode & 0o777 == 0o600
    users = DashboardUsers.load(path)
    assert users.verify("ann", "correct horse battery") is Role.ANALYST
    assert users.verify("ann", "wrong") is None
    assert users.verify("nobody", "correct horse battery") is None
    assert users.role_of("vic") is Role.VIEWER


def test_changing_a_role_and_removing_a_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "users.yaml"
    add(path, "ann", "viewer", "first password", monkeypatch)
    add(path, "ann", "admin", "second password", monkeypatch)
    assert DashboardUsers.load(path).verify("ann", "second password") is Role.ADMIN
    assert warden(["dashboard", "users", "list", "--file", str(path)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "ann\tadmin"
    assert warden(["dashboard", "users", "remove", "ann", "--file", str(path)]) == 0
    assert DashboardUsers.load(path).users == {}


def test_short_passwords_and_odd_names_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "users.yaml"
    assert add(path, "ann", "admin", "short", monkeypatch) == 1
    assert add(path, "bad name", "admin", "long enough password", monkeypatch) == 1
    assert not path.exists()


def test_htpasswd_style_2y_hashes_are_accepted(tmp_path: Path):
    import bcrypt

    hashed = bcrypt.hashpw(b"from htpasswd", bcrypt.gensalt(4)).decode().replace("$2b$", "$2y$")
    path = tmp_path / "users.yaml"
    path.write_text(f"users:\n  ann: {{role: admin, password: '{hashed}'}}\n")
    assert DashboardUsers.load(path).verify("ann", "from htpasswd") is Role.ADMIN


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("users:\n  ann: {role: boss, password: '$2b$x'}\n", ":2:"),
        ("users:\n  ann: {role: admin, password: plain}\n", ":2:"),
        ("users:\n  ann: {role: admin, password: '$2b$x', extra: 1}\n", ":2:"),
    ],
)
def test_a_malformed_users_file_says_where(tmp_path: Path, text: str, where: str):
    path = tmp_path / "users.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"users.yaml{where}"):
        DashboardUsers.load(path)
