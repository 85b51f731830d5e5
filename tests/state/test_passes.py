"""Coaching passes and the data directory's shared secrets, as several processes see them."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

from warden.secret_file import shared_secret
from warden.state.db import StateDB
from warden.state.passes import SqlitePasses


def test_a_pass_granted_through_one_handle_is_honoured_through_another_until_it_ends(
    tmp_path: Path,
) -> None:
    one, other = StateDB(tmp_path / "state.sqlite3"), StateDB(tmp_path / "state.sqlite3")
    SqlitePasses(one).grant("ana", "chatgpt-web", "coach-web", 2_000.0)
    passes = SqlitePasses(other)
    assert passes.expires("ana", "chatgpt-web", "coach-web") == 2_000.0
    assert passes.expires("ana", "claude-web", "coach-web") is None
    SqlitePasses(one).grant("ana", "chatgpt-web", "coach-web", 3_000.0)  # continued again
    assert passes.expires("ana", "chatgpt-web", "coach-web") == 3_000.0
    assert passes.expire(now=3_000.0) == 1
    assert passes.expires("ana", "chatgpt-web", "coach-web") is None


def _secret(data_dir: str) -> str:
    return shared_secret(Path(data_dir), "coach-key").hex()


def test_processes_racing_to_create_a_secret_all_get_the_same_one(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        values = pool.map(_secret, [str(tmp_path)] * 8)
    assert len(set(values)) == 1
    assert len(bytes.fromhex(values[0])) == 32
    assert stat.S_IMODE((tmp_path / "coach-key").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["coach-key"]  # no temporary file left
