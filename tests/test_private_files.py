"""The data directory is private: 0700 directories and 0600 files whatever the umask, and a
directory an older version left open is tightened at start."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import addons.runner
from warden.cli import main as warden
from warden.commands import dashboard as dashboard_command
from warden.private_files import child_umask, describe, private_umask, tighten


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(old)


def test_files_and_databases_written_under_the_private_umask_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    with private_umask():
        data = tmp_path / "data" / "events"
        data.mkdir(parents=True)
        (data / "segment.parquet").write_bytes(b"PAR1")
        con = sqlite3.connect(tmp_path / "data" / "reviews.db")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE t (x)")
        con.execute("INSERT INTO t VALUES (1)")
        con.commit()
        side_files = sorted(p.name for p in (tmp_path / "data").glob("reviews.db-*"))
        duck = duckdb.connect(str(tmp_path / "data" / "warden.duckdb"))
        duck.execute("CREATE TABLE t (x INTEGER)")
        duck.close()
        modes = {p.name: mode(p) for p in (tmp_path / "data").rglob("*")}
        con.close()
    assert side_files == ["reviews.db-shm", "reviews.db-wal"]
    assert modes["events"] == 0o700
    assert all(m == 0o600 for name, m in modes.items() if name != "events"), modes
    assert os.umask(0) == 0o000  # put back afterwards (the fixture restores the real one)


def test_a_stricter_umask_stays_stricter(open_umask: None) -> None:
    os.umask(0o277)
    with private_umask():
        assert os.umask(0o277) == 0o277
    assert child_umask() == 0o277


def test_a_child_process_gets_the_private_umask(open_umask: None) -> None:
    assert child_umask() == 0o077


def test_a_data_dir_left_open_by_an_older_version_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "events" / "requests").mkdir(parents=True)
    (data / "events" / "seg-1.parquet").write_bytes(b"x")
    (data / "warden.duckdb").write_bytes(b"x")
    (data / "link").symlink_to("/etc/hostname")  # not followed, not changed
    os.chmod(data / "events" / "seg-1.parquet", 0o644)
    os.chmod(data / "warden.duckdb", 0o666)
    for d in (data, data / "events", data / "events" / "requests"):
        os.chmod(d, 0o755)
    (data / "private").write_bytes(b"x")
    os.chmod(data / "private", 0o600)

    changes = tighten(data)

    assert {c.path.relative_to(tmp_path).as_posix() for c in changes} == {
        "data",
        "data/events",
        "data/events/requests",
        "data/events/seg-1.parquet",
        "data/warden.duckdb",
    }
    for path in data.rglob("*"):
        if not path.is_symlink():
            assert mode(path) == (0o700 if path.is_dir() else 0o600), path
    assert mode(data) == 0o700
    lines = describe(changes, data)
    assert "made 5 path(s)" in lines[0]
    assert any("seg-1.parquet: 0644 -> 0600" in line for line in lines)
    assert tighten(data) == []  # nothing left to do: nothing logged on the next start


def test_a_missing_data_dir_is_created_private(tmp_path: Path, open_umask: None) -> None:
    assert tighten(tmp_path / "new" / "data") == []
    assert mode(tmp_path / "new" / "data") == 0o700


def test_a_data_dir_that_is_a_link_has_its_target_tightened(tmp_path: Path) -> None:
    target = tmp_path / "var-lib-warden"
    target.mkdir(mode=0o755)
    os.chmod(target, 0o755)
    (tmp_path / "data").symlink_to(target)
    tighten(tmp_path / "data")
    assert mode(target) == 0o700


def _open_data_dir(path: Path) -> Path:
    """A data directory as an older version left it: 0755, with a 0644 segment."""
    (path / "events").mkdir(parents=True)
    (path / "events" / "seg-1.parquet").write_bytes(b"x")
    os.chmod(path / "events" / "seg-1.parquet", 0o644)
    os.chmod(path / "events", 0o755)
    os.chmod(path, 0o755)
    return path


def test_warden_run_tightens_the_data_dir_and_runs_the_proxy_under_the_private_umask(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    data = _open_data_dir(tmp_path / "data")
    seen: list[int] = []
    monkeypatch.setattr(addons.runner, "run_proxy", lambda _settings: seen.append(child_umask()))
    monkeypatch.chdir(tmp_path)
    args = ["run", "--no-dashboard", "--data-dir", str(data), "--certs-dir", str(tmp_path)]
    args += ["--policy", "none"]  # no policies/ here: said so explicitly
    assert warden(args) == 0
    assert seen == [0o077]
    assert (mode(data), mode(data / "events"), mode(data / "events" / "seg-1.parquet")) == (
        0o700,
        0o700,
        0o600,
    )
    err = capsys.readouterr().err
    assert "made 3 path(s)" in err and "seg-1.parquet: 0644 -> 0600" in err


def test_warden_dashboard_tightens_the_data_dir_before_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    data = _open_data_dir(tmp_path / "data")

    class Child:
        def wait(self) -> int:
            return 0

    started: list[int] = []
    monkeypatch.setattr(
        dashboard_command,
        "start_dashboard",
        lambda data_dir, *a, **k: started.append(mode(data_dir)) or Child(),
    )
    monkeypatch.setattr(dashboard_command.signal, "signal", lambda *a: None)
    assert warden(["dashboard", "--data-dir", str(data), "--users", str(tmp_path / "u")]) == 0
    assert started == [0o700]
    assert mode(data / "events" / "seg-1.parquet") == 0o600
    assert "made 3 path(s)" in capsys.readouterr().err


def test_a_data_dir_that_cannot_be_created_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    changes = tighten(tmp_path / "file" / "data")
    assert [c.new_mode for c in changes] == [None]
    [line] = describe(changes, tmp_path / "file" / "data")
    assert line.startswith(f"could not make {tmp_path / 'file' / 'data'} private: ")
