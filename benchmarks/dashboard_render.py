"""Dashboard page render times over 1,000,000 events (target: under 2 s per page).

    .venv/bin/python -m benchmarks.dashboard_render [--events 1000000] [--alerts 5000]
                                                   [--runs 3] [--data-dir DIR]

Generates the events with the audit store's own benchmark generator
(benchmarks/store_queries.py: 30 days, 500 users, 20 models, ~5 % blocked), adds alerts to
the alert store, then renders every page with Streamlit's AppTest, signed in as an admin
with the time range on "All time" (every event in every query: the worst case):

  cold   Streamlit's cache emptied first, so every query runs against the Parquet segments
         (the files themselves are in the OS page cache after the first run, as on a
         dashboard that is in use)
  warm   the same page again within the cache TTL: what an auto-refresh costs when no new
         events arrived

Each figure is the median of --runs runs. Query times (DuckDB only, no Streamlit) follow.

Then, unless --no-browser, the same in a real browser: the dashboard started with
`start_dashboard()`, Debian's Chromium signed in, and each page timed from the click on its
navigation link until the browser has the finished run (Streamlit's script state back to
"notRunning"): the first visit of each page (nothing cached) and a second visit.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import duckdb
import httpx
import streamlit as st
from streamlit import config as streamlit_config
from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

from benchmarks.store_queries import generate
from dashboard.auth.roles import Role
from dashboard.auth.session import SESSION_KEY, SignedIn
from dashboard.auth.users import DashboardUsers
from dashboard.browser import CHROMIUM, chromium_page, settle, sign_in, timed_run
from dashboard.queries import alerts, health, overview, review, shadow, users
from dashboard.queries.source import open_views
from dashboard.queries.timerange import TimeRange
from dashboard.settings import DashboardSettings
from warden.alerts.service import alerts_dir
from warden.commands.dashboard import start_dashboard
from warden.state import open_state
from warden.store.compaction import MAX_ROWS
from warden.store.layout import StoreLayout

TARGET_S = 2.0
APP = Path(__file__).parents[1] / "dashboard" / "app.py"
PAGES = ["overview", "review", "alerts", "users", "shadow_ai", "policies", "health"]


def add_alerts(data_dir: Path, count: int) -> None:
    """`count` alerts over the same 30 days and 500 users, a third acknowledged or resolved.
    Written in the previous JSONL format and imported into the state database (the same
    path an upgraded installation takes), so setting up thousands of alerts stays fast."""
    directory = alerts_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    start = 1_790_000_000.0
    records, states, deliveries = [], [], []
    for i in range(count):
        at = start + i * (30 * 86_400 / count)
        alert_id = f"al-{i:06d}"
        records.append(
            {
                "id": alert_id,
                "rev": 1,
                "rule": "bench",
                "dedupe_key": alert_id,
                "severity": ("low", "medium", "high", "critical")[i % 4],
                "title": "Credential in a prompt",
                "detector": ("secrets", "injection", "paste")[i % 3],
                "category": "prompt",
                "score": 0.9,
                "reasons": [{"code": "x", "text": "bench"}],
                "evidence": [],
                "user": f"user{i % 500}@corp.example",
                "groups": ["staff"],
                "app": "openai",
                "app_name": "OpenAI API",
                "count": 1,
                "first_seen": at,
                "last_seen": at,
                "window_ends": at + 600,
                "first_event_id": f"flow-{i}",
                "last_event_id": f"flow-{i}",
                "metrics": {},
                "test": False,
                "sinks": ["siem"],
            }
        )
        if i % 3 == 0:
            states.append(
                {
                    "alert_id": alert_id,
                    "state": "acknowledged",
                    "who": "soc",
                    "note": "",
                    "at": at + 60,
                }
            )
        deliveries.append(
            {
                "alert_id": alert_id,
                "sink": "siem",
                "kind": "alert",
                "state": "delivered",
                "attempts": 1,
                "last_error": None,
                "delivered_at": at + 1,
                "next_attempt_at": None,
                "at": at + 1,
            }
        )
    for kind, rows in (("alerts", records), ("states", states), ("deliveries", deliveries)):
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
        (directory / f"{kind}.proxy.jsonl").write_text(text)
    open_state(data_dir).close()


def app_for(settings: DashboardSettings) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state[SESSION_KEY] = SignedIn("bench", Role.ADMIN, time.time())
    at.session_state["window.choice"] = "All time"
    at.session_state["refresh.choice"] = "Off"
    return at


def render(
    settings: DashboardSettings, page: str, cold: bool, open_event: str | None = None
) -> float:
    at = app_for(settings)
    if open_event is not None:
        at.session_state["review.selected"] = open_event  # as if picked from the queue
    at.run()  # registers the pages (renders the Overview once)
    assert not at.exception, at.exception
    if cold:
        st.cache_data.clear()
    started = time.perf_counter()
    if page == "overview":
        at.run()
    else:
        at.switch_page(f"pages/{page}.py").run()
    took = time.perf_counter() - started
    assert not at.exception, (page, at.exception)
    return took


def newest_blocked(data_dir: Path) -> str:
    with open_views(data_dir) as con:
        row = con.execute(
            "SELECT id FROM events WHERE blocked ORDER BY time DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    return str(row[0])


def browser_times(settings: DashboardSettings) -> list[tuple[str, float, float]]:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        return _browse(settings, port, log)


def _browse(
    settings: DashboardSettings, port: int, log: IO[bytes]
) -> list[tuple[str, float, float]]:
    child = start_dashboard(
        settings.data_dir,
        port,
        "127.0.0.1",
        settings.users_file,
        policy=settings.policy,
        refresh_s=0,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    results: list[tuple[str, float, float]] = []
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not _answers(f"{url}/_stcore/health"):
            assert child.poll() is None and time.monotonic() < deadline, "dashboard did not start"
            time.sleep(0.3)
        with chromium_page() as page:
            sign_in(page, url, "bench", "bench-password")
            box = page.locator("[data-testid='stSelectbox']").filter(has_text="Time range")

            box.locator("input").click()
            page.keyboard.type("All time")  # typed before the clock starts
            option = page.get_by_role("option").filter(has_text="All time").first
            firsts = {"Overview": timed_run(page, option.click)}
            settle(page)
            titles = ["Review", "Alerts", "Users", "Shadow AI", "Policies", "Health"]
            nav = page.locator("[data-testid='stTopNavLinkContainer']")
            for title in titles:
                firsts[title] = timed_run(page, nav.get_by_text(title, exact=True).first.click)
                settle(page)
            for title in ["Overview", *titles]:
                again = timed_run(page, nav.get_by_text(title, exact=True).first.click)
                settle(page)
                results.append((title, firsts[title], again))
    finally:
        child.terminate()
        child.wait(15)
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def median(run: Callable[[], float], runs: int) -> float:
    return statistics.median(run() for _ in range(runs))


def query_times(data_dir: Path, runs: int) -> dict[str, float]:
    window = TimeRange()
    calls: dict[str, Callable[[duckdb.DuckDBPyConnection], object]] = {
        "overview.headline": lambda c: overview.headline(c, window),
        "overview.timeseries": lambda c: overview.timeseries(c, window),
        "overview.breakdowns": lambda c: overview.breakdowns(c, window),
        "review.queue": lambda c: review.queue(c, window, review.ReviewFilter()),
        "review.queue_size": lambda c: review.queue_size(c, window, review.ReviewFilter()),
        "review.filter_options": lambda c: review.filter_options(c, window),
        "review.detail": lambda c: review.detail(c, "flow-777777"),
        "review.export_csv": lambda c: review.export_csv(c, window, review.ReviewFilter()),
        "alerts.alert_rows": lambda c: alerts.alert_rows(c, alerts.AlertFilter()),
        "alerts.state_counts": lambda c: alerts.state_counts(c),
        "users.per_user": lambda c: users.per_user(c, window),
        "shadow.apps_seen": lambda c: shadow.apps_seen(c, window),
        "shadow.hosts_seen": lambda c: shadow.hosts_seen(c, window),
        "health.events_per_minute": lambda c: health.events_per_minute(c),
        "health.latest_event": lambda c: health.latest_event(c),
    }
    out = {}
    for name, call in calls.items():

        def once(call: Callable[[duckdb.DuckDBPyConnection], object] = call) -> float:
            with open_views(data_dir) as con:  # a fresh connection, as each cached query has
                started = time.perf_counter()
                call(con)
                return time.perf_counter() - started

        out[name] = median(once, runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--alerts", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the store here")
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="warden-dash-bench-"))
    data_dir = args.data_dir or root / "data"
    print(
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"streamlit {st.__version__}, {os.cpu_count()} cores"
    )
    started = time.perf_counter()
    generate(data_dir, args.events, MAX_ROWS // 8)
    add_alerts(data_dir, args.alerts)
    segments = sorted(StoreLayout(data_dir).events_dir.glob("seg-*.parquet"))
    size = sum(p.stat().st_size for p in segments)
    print(
        f"store: {args.events:,} events in {len(segments)} segments ({size / 1e6:.0f} MB), "
        f"{args.alerts:,} alerts; generated in {time.perf_counter() - started:.1f} s"
    )
    users_file = root / "users.yaml"
    DashboardUsers().with_user("bench", Role.ADMIN, "bench-password").save(users_file)
    settings = DashboardSettings(
        data_dir=data_dir,
        users_file=users_file,
        policy=Path(__file__).parents[1] / "policies" / "default.yaml",
        proxy=None,
        refresh_s=0,
    )
    os.environ.update(settings.to_env())
    # AppTest runs without a server; Streamlit says so on every run. Not news here.
    # Each AppTest run re-applies logger.level from Streamlit's config, so set it there.
    streamlit_config.set_option("logger.level", "error")
    streamlit_logger.set_log_level("error")
    render(settings, "overview", cold=True)  # imports and first-run costs, not counted

    print(f"\npage renders (AppTest, all time, median of {args.runs}); target < {TARGET_S} s")
    print(f"{'page':<12}{'cold':>9}{'warm':>9}   verdict")
    worst = 0.0
    for page in PAGES:
        cold = median(functools.partial(render, settings, page, True), args.runs)
        warm = median(functools.partial(render, settings, page, False), args.runs)
        worst = max(worst, cold, warm)
        verdict = "ok" if max(cold, warm) < TARGET_S else "MISS"
        print(f"{page:<12}{cold:>8.3f}s{warm:>8.3f}s   {verdict}")
    newest = newest_blocked(data_dir)
    cold = median(functools.partial(render, settings, "review", True, newest), args.runs)
    warm = median(functools.partial(render, settings, "review", False, newest), args.runs)
    worst = max(worst, cold, warm)
    verdict = "ok" if max(cold, warm) < TARGET_S else "MISS"
    print(
        f"{'review+open':<12}{cold:>8.3f}s{warm:>8.3f}s   {verdict}  (one request's details open)"
    )
    print(f"slowest page: {worst:.3f} s ({'within' if worst < TARGET_S else 'over'} target)")

    print(f"\nqueries (DuckDB only, fresh connection each, median of {args.runs})")
    for name, seconds in query_times(data_dir, args.runs).items():
        print(f"{name:<28}{seconds:>8.3f}s")
    if args.browser and CHROMIUM.exists():
        print("\nin the browser (click to finished run; first visit, then again)")
        worst_browser = 0.0
        for title, first, again in browser_times(settings):
            worst_browser = max(worst_browser, first, again)
            verdict = "ok" if max(first, again) < TARGET_S else "MISS"
            print(f"{title:<12}{first:>8.3f}s{again:>8.3f}s   {verdict}")
        print(f"slowest in the browser: {worst_browser:.3f} s")
    elif args.browser:
        print(f"\nno browser at {CHROMIUM}: browser timings skipped")
    if args.data_dir is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
