"""Listen with SO_REUSEPORT, so the workers of `warden run --workers N` share one port.

mitmproxy opens its listeners with `asyncio.start_server(handler, host, port)` and has no
option for SO_REUSEPORT; a worker process wraps that one function before the proxy starts,
so every listener it opens joins the port's group and the kernel spreads new connections
over the workers. Linux only lets processes of the same user join a group, so another
account cannot listen in on the port.

tests/e2e/test_workers_e2e.py starts two workers on one port and sees both answer: it fails
if an upgrade of mitmproxy stops going through `asyncio.start_server`.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

__all__ = ["install"]


def install() -> None:
    original = asyncio.start_server
    if getattr(original, "_warden_reuse_port", False):
        return

    @functools.wraps(original)
    async def start_server(*args: Any, **kwargs: Any) -> asyncio.Server:
        kwargs.setdefault("reuse_port", True)
        return await original(*args, **kwargs)

    start_server._warden_reuse_port = True  # type: ignore[attr-defined]
    asyncio.start_server = start_server
