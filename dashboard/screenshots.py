"""Screenshots of every dashboard page, from a demo store, in a real headless browser.

    .venv/bin/python -m dashboard.screenshots [--out docs/screenshots]

Builds the demo store (dashboard/demo.py), starts the real proxy on it (`warden run`, so the
Health page has a live proxy and writer to show), starts the dashboard with
start_dashboard(), signs in as the demo admin in Debian's Chromium and saves one PNG per
page. Everything listens on loopback; the browser is checked to have asked nothing of any
other host.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from dashboard.browser import (
    CHROMIUM,
    choose,
    chromium_page,
    full_page_screenshot,
    open_page,
    settle,
    sign_in,
)
from dashboard.demo import DEMO_PASSWORDS, build_demo
from warden.commands.dashboard import start_dashboard

PAGES = ["Overview", "Review", "Alerts", "Users", "Shadow AI", "Policies", "Health"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


def capture(out: Path, root: Path) -> list[Path]:
    demo = build_demo(root, events=4000)
    proxy_port, dash_port = free_port(), free_port()
    logs = (root / "proxy.log").open("wb"), (root / "dashboard.log").open("wb")
    proxy = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "warden.cli",
            "run",
            "--listen-port",
            str(proxy_port),
            "--data-dir",
            str(demo.data_dir),
            "--certs-dir",
            str(root / "certs"),
            "--policy",
            str(demo.policy),
            "--no-dashboard",
        ],
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    dashboard = start_dashboard(
        demo.data_dir,
        dash_port,
        "127.0.0.1",
        demo.users_file,
        policy=demo.policy,
        proxy=f"127.0.0.1:{proxy_port}",
        refresh_s=0,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    saved: list[Path] = []
    try:
        wait_for(f"http://127.0.0.1:{proxy_port}/proxy.pac", proxy)
        url = f"http://127.0.0.1:{dash_port}"
        wait_for(f"{url}/_stcore/health", dashboard)
        out.mkdir(parents=True, exist_ok=True)
        with chromium_page() as page:
            asked: set[str] = set()
            page.on("request", lambda r: asked.add(r.url.split("/")[2] if "://" in r.url else ""))
            page.goto(url)
            settle(page)
            saved.append(_shot(page, out / "login.png"))
            sign_in(page, url, "admin", DEMO_PASSWORDS["admin"])
            for title in PAGES:
                open_page(page, title)
                _details(page, title)
                saved.append(_shot(page, out / f"{title.lower().replace(' ', '-')}.png"))
            outside = {h for h in asked if h and not h.startswith(("127.0.0.1", "localhost"))}
            if outside:
                raise RuntimeError(f"the browser contacted other hosts: {sorted(outside)}")
    finally:
        for process in (dashboard, proxy):
            process.terminate()
            process.wait(15)
        for log in logs:
            log.close()
    return saved


def _details(page: object, title: str) -> None:
    """Open what makes each page worth a picture: a request, an alert, a user, a dry run."""
    if title == "Review":
        choose(page, "Open a request", "protect-personal-data")
    elif title == "Alerts":
        choose(page, "Open an alert")
    elif title == "Users":
        choose(page, "Look at one user")
    elif title == "Policies":
        page.get_by_role("tab", name="Dry run").click()  # type: ignore[attr-defined]
        page.get_by_role("textbox", name="Prompt").fill(  # type: ignore[attr-defined]
            "Email the contract to jane.doe@customer.example by Friday"
        )
        page.get_by_role("button", name="Run dry run").click()  # type: ignore[attr-defined]
        settle(page)


def _shot(page: object, path: Path) -> Path:
    full_page_screenshot(page, path)
    print(f"saved {path}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--keep", type=Path, default=None, help="keep the demo store here")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"no browser at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 2
    root = args.keep or Path(tempfile.mkdtemp(prefix="warden-screens-"))
    try:
        capture(args.out, root)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
