"""Health: proxy up or down, the store's writer, events per minute, disk use, alert sinks."""

from __future__ import annotations

import socket

import pytest

from dashboard.settings import ENV
from tests.dashboard.conftest import OpenApp
from tests.dashboard.fixture_store import FixtureStore
from warden.store.writer import StoreWriter, WriterSettings


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_proxy_down_and_nothing_writing(
    open_app: OpenApp, store: FixtureStore, monkeypatch: pytest.MonkeyPatch
):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(ENV["proxy"], f"127.0.0.1:{port}")
    at = open_app("viewer")
    at.switch_page("pages/health.py").run()
    assert metrics(at)["Proxy"] == "DOWN"
    assert metrics(at)["Store writer"] == "none"
    assert "Nothing is listening" in at.error[0].value


def test_proxy_up_and_the_writer_holding_the_store(
    open_app: OpenApp, store: FixtureStore, monkeypatch: pytest.MonkeyPatch
):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    monkeypatch.setenv(ENV["proxy"], f"127.0.0.1:{listener.getsockname()[1]}")
    writer = StoreWriter(store.data_dir, WriterSettings(maintenance_interval_s=3600))
    writer.start()
    try:
        at = open_app("viewer")
        at.switch_page("pages/health.py").run()
        figures = metrics(at)
        assert figures["Proxy"] == "up"
        assert figures["Store writer"].startswith("pid ")
        assert figures["Store on disk"].endswith(" MB")
    finally:
        writer.close()
        listener.close()


def test_events_per_minute_and_failing_sink(open_app: OpenApp):
    at = open_app("viewer")
    at.switch_page("pages/health.py").run()
    assert len(at.get("vega_lite_chart")) == 1
    sinks = next(d.value for d in at.dataframe if "sink" in d.value.columns)
    row = sinks.set_index("sink").loc["soc-slack"]
    assert (row["status"], row["failed"]) == ("failing", 1)
