"""RuntimeAddon's reload task: files are read and validated off the event loop, so a slow
or hostile policy file never stalls the connections and /healthz the loop serves."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from mitmproxy.test import taddons

from addons.runtime import RuntimeAddon
from tests.addons.traffic import configure
from warden.runtime import Changes, WardenRuntime


async def _longest_stall(seconds: float) -> float:
    """The longest the loop went without running a 10 ms tick, over `seconds`."""
    longest, end = 0.0, time.monotonic() + seconds
    while time.monotonic() < end:
        before = time.monotonic()
        await asyncio.sleep(0.01)
        longest = max(longest, time.monotonic() - before)
    return longest


@pytest.mark.asyncio
async def test_a_slow_reload_does_not_stall_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addon = RuntimeAddon()
    with taddons.context(addon) as tctx:
        configure(tctx, addon, tmp_path)
        tctx.configure(addon, warden_reload_ms=50)  # poll often: the test waits for reloads
        runtime = addon.current()
        read = runtime.read_changes

        def slow_read() -> Changes:
            time.sleep(0.6)  # what validating a 50,000-term deny list costs
            return read()

        monkeypatch.setattr(runtime, "read_changes", slow_read)
        (tmp_path / "policy.yaml").write_text("version: 1\nname: edited\n")
        addon.running()
        try:
            assert await _longest_stall(2.0) < 0.3
            assert await _until(lambda: runtime.policy.name == "edited")
        finally:
            addon.done()


@pytest.mark.asyncio
async def test_a_named_pipe_in_place_of_the_policy_is_rejected_and_the_loop_keeps_serving(
    tmp_path: Path,
) -> None:
    addon = RuntimeAddon()
    with taddons.context(addon) as tctx:
        configure(tctx, addon, tmp_path)
        tctx.configure(addon, warden_reload_ms=50)  # poll often: the test waits for reloads
        runtime: WardenRuntime = addon.current()
        policy = tmp_path / "policy.yaml"
        policy.unlink()
        os.mkfifo(policy)  # no writer will ever come
        addon.running()
        try:
            assert await _until(lambda: runtime.rejected()["policy"] is not None, timeout=5)
            assert "not a regular file (a named pipe)" in str(runtime.rejected()["policy"])
            assert runtime.policy.name == "addon-tests"  # the last good stays in force
            assert await _longest_stall(0.5) < 0.3
        finally:
            addon.done()


async def _until(check, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
