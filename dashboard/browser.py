"""Drive the running dashboard in Debian's headless Chromium: screenshots and the e2e test.

Playwright never downloads a browser here: it is pointed at /usr/bin/chromium, with the
switches that keep Chromium from calling home (component updates, sync, field trials).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "choose",
    "chromium_page",
    "full_page_screenshot",
    "open_page",
    "settle",
    "sign_in",
    "timed_run",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium_page(width: int = 1440, height: int = 900) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


_STATE = "document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state')"


def settle(page: Any, timeout_s: float = 30.0) -> None:
    """Wait until Streamlit has finished the current run and the charts have drawn."""
    # The first run of a new session draws nothing until the script has started.
    page.wait_for_selector(
        "[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']",
        timeout=timeout_s * 1000,
    )
    time.sleep(0.2)  # a click's rerun request may not have reached the server yet
    page.wait_for_function(f"() => {_STATE} === 'notRunning'", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    while page.locator("[data-testid='stSkeleton']").count() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.6)  # Vega charts render a moment after their element appears


def timed_run(page: Any, action: Callable[[], None], timeout_s: float = 60.0) -> float:
    """Seconds from `action` (a click) until the rerun it caused has finished in the browser:
    Streamlit flips data-test-script-state to "running" and back to "notRunning"."""
    page.evaluate(
        f"""() => {{
            window.__wardenRuns = [];
            const app = document.querySelector('[data-testid=stApp]');
            window.__wardenObserver?.disconnect();
            window.__wardenObserver = new MutationObserver(
                () => window.__wardenRuns.push({_STATE}));
            window.__wardenObserver.observe(
                app, {{attributes: true, attributeFilter: ['data-test-script-state']}});
        }}"""
    )
    started = time.perf_counter()
    action()
    page.wait_for_function(
        f"() => window.__wardenRuns.includes('running') && {_STATE} === 'notRunning'",
        timeout=timeout_s * 1000,
        polling=20,
    )
    return time.perf_counter() - started


def sign_in(page: Any, url: str, name: str, password: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Overview").wait_for(timeout=30_000)
    settle(page)


def open_page(page: Any, title: str) -> None:
    """Click the page in the navigation bar and wait for its title."""
    page.locator("[data-testid='stTopNavLinkContainer'], [data-testid='stSidebarNav']").get_by_text(
        title, exact=True
    ).first.click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    settle(page)


def choose(page: Any, label: str, option_text: str | None = None) -> None:
    """Pick an option of the select box labelled `label` (the first one if no text given)."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.locator("input").click()
    options = page.get_by_role("option")
    if option_text is not None:
        page.keyboard.type(option_text)  # long lists are virtual: filter rather than scroll
        options = options.filter(has_text=option_text)
    else:
        page.keyboard.press("ArrowDown")  # a combo box opens its list on a key, not a click
    options.first.click()
    settle(page)


def full_page_screenshot(page: Any, path: Path, width: int = 1440) -> None:
    """Streamlit scrolls inside its own container, so grow the window to fit, then shoot."""
    height = 0
    for _ in range(4):  # content can still grow after a resize (charts, late elements)
        needed = page.evaluate(
            "() => Math.max(document.querySelector('[data-testid=stMainBlockContainer]')"
            ".scrollHeight + 80, 900)"
        )
        if needed == height:
            break
        height = min(int(needed), 6000)
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})
