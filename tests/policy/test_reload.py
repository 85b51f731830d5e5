"""Hot reload: a good edit takes effect, a broken edit is rejected and the last good stays."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from warden.policy import Action
from warden.runtime import RuntimeConfig, WardenRuntime

GOOD = "version: 1\ndefault_action: monitor\n"
STRICTER = "version: 1\ndefault_action: block\n"
BROKEN = "version: 1\ndefault_action: sometimes\n"


def _touch_later(path: Path, text: str, step: int) -> None:
    path.write_text(text)
    # Make the change visible even on filesystems with coarse timestamps.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + step * 1_000_000_000))


def test_good_edit_applies_and_broken_edit_keeps_the_last_good(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "policy.yaml"
    path.write_text(GOOD)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    assert runtime.policy.default_action is Action.MONITOR

    _touch_later(path, STRICTER, 1)
    assert runtime.reload_if_changed()
    assert runtime.policy.default_action is Action.BLOCK

    with caplog.at_level(logging.ERROR, logger="warden.runtime"):
        _touch_later(path, BROKEN, 2)
        assert not runtime.reload_if_changed()
    assert runtime.policy.default_action is Action.BLOCK
    assert "policy.yaml:2:17: default_action" in caplog.text
    assert "keeping the last good version" in caplog.text
    assert runtime.status()["policy_error"] is not None

    # A fixed file is picked up again and clears the error.
    _touch_later(path, GOOD, 3)
    assert runtime.reload_if_changed()
    assert runtime.policy.default_action is Action.MONITOR
    assert runtime.status()["policy_error"] is None


def test_unchanged_file_is_not_reloaded(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text(GOOD)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    assert not runtime.reload_if_changed()
