"""`warden dashboard` starts Streamlit headless, with no telemetry, on the given address."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from dashboard.settings import DashboardSettings
from tests.support import free_port
from warden.commands.dashboard import APP, dashboard_command, start_dashboard


def test_the_command_line_is_headless_and_quiet():
    command = dashboard_command(port=9999, host="127.0.0.1")
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
    assert options["--server.enableAgentApi"] == "false"
    assert options["--client.showErrorLinks"] == "false"
    assert (options["--server.port"], options["--server.address"]) == ("9999", "127.0.0.1")


def test_settings_reach_the_app_through_the_environment(tmp_path: Path):
    settings = DashboardSettings(
        data_dir=tmp_path / "data",
        users_file=tmp_path / "users.yaml",
        policy=tmp_path / "policy.yaml",
        proxy="0.0.0.0:8080",
        refresh_s=10,
        catalogs=(tmp_path / "site.yaml",),
    )
    back = DashboardSettings.from_env(settings.to_env())
    assert back == settings
    assert back.proxy_address == ("127.0.0.1", 8080)  # every interface: check on loopback
    assert DashboardSettings.from_env({}) == DashboardSettings()


def test_start_dashboard_serves_the_app_on_loopback(tmp_path: Path):
    port = free_port()
    log = (tmp_path / "dashboard.log").open("wb")
    child = start_dashboard(
        tmp_path / "data",
        port,
        "127.0.0.1",
        tmp_path / "users.yaml",
        policy=tmp_path / "policy.yaml",
        proxy="127.0.0.1:1",
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert child.poll() is None, (tmp_path / "dashboard.log").read_text()
            assert time.monotonic() < deadline, "dashboard did not come up"
            time.sleep(0.3)
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "<title>" in page.text
    finally:
        child.terminate()
        child.wait(10)
        log.close()
    env = (tmp_path / "dashboard.log").read_text()
    assert "Traceback" not in env
    assert os.environ.get("WARDEN_DASHBOARD_DATA_DIR") is None  # the parent's env is untouched
