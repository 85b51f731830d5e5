"""The dashboard in a real browser beside the real proxy: a request the proxy blocks shows up
in the review queue moments later, and an analyst marks it reviewed.

Debian's Chromium, driven by Playwright, headless; everything on loopback."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import openai
import pytest

from dashboard.browser import CHROMIUM, choose, chromium_page, open_page, settle, sign_in
from dashboard.review.store import ReviewStore
from tests.e2e.conftest import WARDEN, StartWarden
from tests.support import MockProviders, free_port, wait_for_port
from tests.support.eventually import eventually
from warden.commands.dashboard import start_dashboard

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no browser at {CHROMIUM} (apt-get install chromium)"
    ),
]

FAKE_OPENAI_KEY = "sk-test-" + "d" * 40
LEAKED_KEY = "sk-proj-" + "e2eFakeKeyDoNotUse02" + "T3BlbkFJ" + "qZ7xWv3Lm9Kp2Rt6Yb8Nc4Hd"
ANALYST, PASSWORD = "sec-analyst", "e2e-analyst-password"


def test_a_blocked_request_is_reviewed_in_the_browser(
    start_warden: StartWarden, mock: MockProviders, tmp_path: Path
):
    """...and everything the proxy and the dashboard wrote meanwhile is private to their
    user, although both were started under a umask that hides nothing."""
    open_umask = os.umask(0o000)
    try:
        warden = start_warden()  # the default test policy blocks gpt-5*
    finally:
        os.umask(open_umask)
    mock.clear()
    client = openai.OpenAI(api_key=FAKE_OPENAI_KEY, http_client=warden.client(), max_retries=0)
    with pytest.raises(openai.PermissionDeniedError, match="GPT-5 models are not approved"):
        client.chat.completions.create(
            model="gpt-5", messages=[{"role": "user", "content": "summarise the board minutes"}]
        )
    assert mock.requests_to("api.openai.com") == []
    # A pasted key: redacted on the way, and an alert stored (no rules: every signal is kept).
    client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"why? key={LEAKED_KEY}"}]
    )

    users = tmp_path / "dashboard-users.yaml"
    subprocess.run(
        [
            str(WARDEN),
            "dashboard",
            "users",
            "add",
            ANALYST,
            "--role",
            "analyst",
            "--file",
            str(users),
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    log_path = tmp_path / "dashboard.log"
    open_umask = os.umask(0o000)
    with log_path.open("wb") as log:
        dashboard = start_dashboard(
            warden.data_dir,
            port,
            "127.0.0.1",
            users,
            policy=warden.policy,
            proxy=f"127.0.0.1:{warden.port}",
            refresh_s=0,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        os.umask(open_umask)
        try:
            wait_for_port("127.0.0.1", port, timeout=60, process=dashboard)
            url = f"http://127.0.0.1:{port}"
            with chromium_page() as page:
                asked: set[str] = set()
                page.on("request", lambda r: asked.add(r.url))

                # Signed out, a page's own URL shows the sign-in form and nothing else.
                page.goto(f"{url}/review")
                settle(page)
                assert page.get_by_role("button", name="Sign in").is_visible()
                assert page.get_by_role("heading", name="Review").count() == 0

                sign_in(page, url, ANALYST, PASSWORD)
                open_page(page, "Review")
                blocked = _wait_for_queue_entry(page, "no-gpt5")
                assert "gpt-5" in blocked and "open" in blocked
                choose(page, "Open a request", "no-gpt5")
                page.get_by_role("heading", name="Blocked request · openai gpt-5").wait_for()
                assert page.get_by_text("Review state: Open").is_visible()

                page.get_by_role("button", name="Mark reviewed").click()
                page.get_by_text("Review state: Reviewed").wait_for(timeout=30_000)
                settle(page)
                assert page.get_by_text(f"by {ANALYST} at").first.is_visible()
            outside = {u for u in asked if not u.startswith(("http://127.0.0.1", "data:"))}
            assert outside == set(), "the dashboard made the browser reach outside loopback"
        finally:
            dashboard.terminate()
            dashboard.wait(15)

    (event,) = [e for e in warden.events() if e["type"] == "request" and e["model"] == "gpt-5"]
    (action,) = ReviewStore.for_data_dir(warden.data_dir).history(event["id"])
    assert (action.action, action.who, action.role) == ("reviewed", ANALYST, "analyst")
    assert abs(action.at - time.time()) < 120

    written = sorted(warden.data_dir.rglob("*"))
    names = {p.name for p in written}
    assert {"alerts", "events", "journal", "reviews.sqlite3", "warden.duckdb"} <= names, names
    assert any(p.suffix == ".parquet" for p in written)
    modes = {p: stat.S_IMODE(p.lstat().st_mode) for p in [warden.data_dir, *written]}
    loose = {
        str(p.relative_to(warden.data_dir.parent)): f"{m:04o}"
        for p, m in modes.items()
        if m != (0o700 if p.is_dir() else 0o600)
    }
    assert loose == {}, "readable beyond their owner"


def _wait_for_queue_entry(page, text: str, timeout_s: float = 20.0) -> str:
    """The queue entry naming `text`, re-running the page until the event has arrived."""

    def entry() -> str | None:
        box = page.locator("[data-testid='stSelectbox']").filter(has_text="Open a request")
        box.locator("input").click()
        page.keyboard.type(text)
        options = page.get_by_role("option").filter(has_text=text)
        label = str(options.first.inner_text()) if options.count() else None
        page.keyboard.press("Escape")
        if label is None:
            page.reload()
            settle(page)
        return label

    return eventually(entry, timeout_s, interval=0, message=f"no queue entry with {text!r}")
