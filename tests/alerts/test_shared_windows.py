"""Several Warden processes, one alert list: a key raised in each of them is one alert,
delivered once, whose count is every process's repeats; one summary when its window ends.
Against one state database (workers on a machine) and one real Redis (`--state redis://`)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.alerts.factories import secret_signal
from tests.alerts.receivers import WebhookReceiver
from tests.alerts.test_engine import Clock
from tests.support.eventually import eventually
from tests.support.redis_server import RedisServer, redis_server
from warden.alerts.config import AlertsConfig
from warden.alerts.service import AlertService
from warden.alerts.signal import Subject
from warden.alerts.windows import AlertWindows
from warden.state.redis_alert_windows import RedisAlertWindows
from warden.state.redis_settings import RedisSettings
from warden.state.redis_store import connect

__all__ = ["redis_server"]

BACKENDS = ["state-db", "redis"]


def config(url: str, throttle: str = "10m") -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "sinks": {"hook": {"type": "webhook", "url": url}},
            "rules": [{"id": "leaked-secret", "when": {"detectors": ["secret"]},
                       "sinks": ["hook"], "throttle": throttle}],
            "delivery": {"backoff": "100ms", "max_backoff": "400ms"},
        }
    )  # fmt: skip


def windows(redis_url: str | None) -> AlertWindows | None:
    """None: the state database's windows (the default); else a fleet's Redis."""
    if redis_url is None:
        return None
    return RedisAlertWindows(connect(RedisSettings.parse(redis_url, environ={})), "shared")


def alice(event_id: str) -> Subject:
    return Subject(user="alice", app="openai", app_name="OpenAI API", event_id=event_id)


def bob(event_id: str) -> Subject:
    return Subject(user="bob", app="openai", app_name="OpenAI API", event_id=event_id)


def _raise_in_process(
    data_dir: str,
    hook_url: str,
    redis_url: str | None,
    times: int,
    start: Any,
    results: Any,
) -> None:
    """One Warden process: raise the same secret alert `times` times, report the ids."""
    service = AlertService(Path(data_dir), config(hook_url), windows=windows(redis_url))
    try:
        start.wait(60)
        ids: set[str] = set()
        for i in range(times):
            ids.update(service.raise_signals([secret_signal()], alice(f"{os.getpid()}-{i}")))
        assert service.flush(30)
        results.put(sorted(ids))
    finally:
        service.close()


def run_processes(
    data_dirs: list[Path], hook_url: str, redis_url: str | None, times: int
) -> list[list[str]]:
    """Each data dir gets one process; they start raising at the same moment."""
    # Separate processes, as workers are. A forkserver with this module preloaded starts
    # each in milliseconds instead of an interpreter and its imports (1-2 s) per process;
    # it forks from a process with no threads, unlike a fork of the test process.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    start = context.Barrier(len(data_dirs))
    results = context.Queue()
    processes = [
        context.Process(
            target=_raise_in_process,
            args=(str(d), hook_url, redis_url, times, start, results),
        )
        for d in data_dirs
    ]
    for p in processes:
        p.start()
    out = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    return out


@pytest.fixture(params=BACKENDS)
def redis_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "state-db":
        yield None
        return
    server = request.getfixturevalue("redis_server")
    yield server.url


def drain(data_dir: Path, hook: WebhookReceiver, redis_url: str | None) -> None:
    """Deliveries the processes left queued go out (a proxy started later picks them up)."""
    service = AlertService(data_dir, config(hook.url), windows=windows(redis_url))
    try:
        assert service.delivery.wait_idle(10)
    finally:
        service.close()


def test_one_key_raised_in_two_processes_is_one_alert_counted_twice_delivered_once(
    tmp_path: Path, webhook: WebhookReceiver, redis_url: str | None
) -> None:
    [ids_a, ids_b] = run_processes([tmp_path, tmp_path], webhook.url, redis_url, times=1)
    assert ids_a == ids_b  # both processes' events name the same alert
    drain(tmp_path, webhook, redis_url)
    views = AlertService(tmp_path, config(webhook.url)).store.alerts()
    [view] = views
    assert view.id == ids_a[0] and view.alert["count"] == 2
    assert not view.alert["counted_locally"]
    eventually(lambda: len(webhook.requests) == 1)
    time.sleep(0.3)  # nothing more arrives
    [post] = webhook.requests
    assert post.json()["kind"] == "alert" and post.json()["id"] == view.id


def test_concurrent_repeats_from_four_processes_are_all_counted(
    tmp_path: Path, webhook: WebhookReceiver, redis_url: str | None
) -> None:
    """4 processes x 40 repeats of one key at once: one alert, count exactly 160."""
    results = run_processes([tmp_path] * 4, webhook.url, redis_url, times=40)
    assert {tuple(ids) for ids in results} == {tuple(results[0])} and len(results[0]) == 1
    drain(tmp_path, webhook, redis_url)
    [view] = AlertService(tmp_path, config(webhook.url)).store.alerts()
    assert view.alert["count"] == 160
    eventually(lambda: len(webhook.requests) == 1)
    time.sleep(0.3)
    assert len(webhook.requests) == 1


def test_a_fleet_on_one_redis_delivers_once_and_the_latest_record_has_every_repeat(
    tmp_path: Path, webhook: WebhookReceiver, redis_server: RedisServer
) -> None:
    """Two machines (two data directories) on one Redis: one alert id, one delivery."""
    dirs = [tmp_path / "a", tmp_path / "b"]
    results = run_processes(dirs, webhook.url, redis_server.url, times=20)
    assert results[0] == results[1] and len(results[0]) == 1
    for d in dirs:
        drain(d, webhook, redis_server.url)
    counts = []
    for d in dirs:
        [view] = AlertService(d, config(webhook.url)).store.alerts()
        assert view.id == results[0][0]
        counts.append(view.alert["count"])
    assert max(counts) == 40  # whichever machine saw the last repeat holds the fleet's count
    eventually(lambda: len(webhook.requests) == 1)
    time.sleep(0.3)
    assert len(webhook.requests) == 1


def test_after_the_window_a_new_alert_starts_and_one_summary_goes_out(
    tmp_path: Path, webhook: WebhookReceiver, redis_url: str | None
) -> None:
    """Two services on one store (as two processes), one clock moved past the window."""
    clock = Clock(time.time())
    a, b = (
        AlertService(tmp_path, config(webhook.url), clock=clock, windows=windows(redis_url))
        for _ in range(2)
    )
    try:
        [first] = a.raise_signals([secret_signal()], alice("e1"))
        assert b.raise_signals([secret_signal()], alice("e2")) == [first]
        assert a.raise_signals([secret_signal()], alice("e3")) == [first]
        clock.now += 601
        a.tick()
        b.tick()
        assert a.flush(5) and b.flush(5)
        eventually(lambda: len(webhook.requests) == 2)
        [again] = b.raise_signals([secret_signal()], alice("e4"))
        assert again != first
        eventually(lambda: len(webhook.requests) == 3)
        a.tick()
        b.tick()
        assert a.flush(5) and b.flush(5) and a.delivery.wait_idle(5) and b.delivery.wait_idle(5)
        time.sleep(0.3)
        posts = [(r.json()["kind"], r.json()["id"], r.json()["count"]) for r in webhook.requests]
        assert sorted(posts) == sorted(
            [("alert", first, 1), ("summary", first, 3), ("alert", again, 1)]
        )
        counts = {v.id: v.alert["count"] for v in a.store.alerts()}
        assert counts == {first: 3, again: 1}
    finally:
        a.close()
        b.close()


def test_a_repeat_after_the_window_ended_sends_the_summary_even_before_a_tick(
    tmp_path: Path, webhook: WebhookReceiver, redis_url: str | None
) -> None:
    clock = Clock(time.time())
    a, b = (
        AlertService(tmp_path, config(webhook.url), clock=clock, windows=windows(redis_url))
        for _ in range(2)
    )
    try:
        [first] = a.raise_signals([secret_signal()], alice("e1"))
        b.raise_signals([secret_signal()], alice("e2"))
        clock.now += 601
        [again] = b.raise_signals([secret_signal()], alice("e3"))  # no tick in between
        a.tick()
        b.tick()
        assert a.flush(5) and b.flush(5)
        eventually(lambda: len(webhook.requests) == 3)
        time.sleep(0.3)
        kinds = sorted((r.json()["kind"], r.json()["id"]) for r in webhook.requests)
        assert kinds == sorted([("alert", first), ("summary", first), ("alert", again)])
    finally:
        a.close()
        b.close()


def test_a_purge_in_one_process_is_not_undone_by_another(
    tmp_path: Path, webhook: WebhookReceiver, redis_url: str | None
) -> None:
    a, b = (
        AlertService(tmp_path, config(webhook.url), windows=windows(redis_url)) for _ in range(2)
    )
    try:
        [purged] = a.raise_signals([secret_signal()], alice("e1"))
        # b counts a repeat whose record is still on its way when the purge happens.
        [on_its_way] = b.engine.process([secret_signal()], alice("e2"))
        assert a.flush(5)
        assert a.store.purge_user("alice") == 1  # what `warden logs purge` does first
        a.forget_user("alice")  # then tells the proxy that carried it out
        assert a.flush(5)
        b.recorder.alert(on_its_way.alert)
        assert b.flush(5)
        assert a.store.alerts() == []
        # The next repeat, in either process, is a new alert.
        [again] = b.raise_signals([secret_signal()], alice("e3"))
        assert again != purged
        assert b.flush(5)
        assert [(v.id, v.alert["count"]) for v in a.store.alerts()] == [(again, 1)]
    finally:
        a.close()
        b.close()


def test_with_redis_down_alerts_are_still_recorded_deduped_locally_and_marked(
    tmp_path: Path,
    webhook: WebhookReceiver,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = AlertService(
        tmp_path,
        config(webhook.url),
        windows=windows(redis_server.url),
        windows_name="redis://127.0.0.1 (test)",
    )
    try:
        [shared] = service.raise_signals([secret_signal()], alice("e1"))
        redis_server.stop()
        with caplog.at_level(logging.WARNING, logger="warden.alerts"):
            [local] = service.raise_signals([secret_signal()], bob("b1"))
            assert service.raise_signals([secret_signal()], bob("b2")) == [local]
        assert "deduping and counting alerts in this process alone" in caplog.text
        assert service.flush(5)
        by_user = {v.alert["user"]: v.alert for v in service.store.alerts()}
        assert by_user["alice"]["id"] == shared and not by_user["alice"]["counted_locally"]
        assert by_user["bob"]["id"] == local and by_user["bob"]["counted_locally"]
        assert by_user["bob"]["count"] == 2
        eventually(lambda: len(webhook.requests) == 2)  # both alerts reached the receiver
        # Redis back (empty, as a restart without persistence): shared windows again.
        redis_server.start()
        time.sleep(1.1)  # the retry interval
        with caplog.at_level(logging.WARNING, logger="warden.alerts"):
            [back] = service.raise_signals([secret_signal()], bob("b3"))
        assert "answers again" in caplog.text
        assert service.flush(5)
        assert back != local and not service.store.get(back).alert["counted_locally"]
    finally:
        service.close()
