"""Asking the running writer to change the store: a request file in, a result file out.

Only the writer may rewrite segments (see lock.py). When the proxy is running, `warden logs
purge` drops a request here; the writer's maintenance thread picks it up within a second,
carries it out after flushing what it holds, and answers in <id>.result.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warden.store.layout import StoreLayout

__all__ = ["AdminRequest", "RequestTimeout", "answer", "pending_requests", "submit"]

_RESULT = ".result.json"


class RequestTimeout(Exception):
    """The writer did not answer in time."""


@dataclass(frozen=True, slots=True)
class AdminRequest:
    action: str  # "purge_user"
    actor: str
    params: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


def submit(layout: StoreLayout, request: AdminRequest, timeout_s: float = 60.0) -> dict[str, Any]:
    directory = layout.requests_dir
    directory.mkdir(parents=True, exist_ok=True)
    body = {"id": request.id, "action": request.action, "actor": request.actor, **request.params}
    _write_atomically(directory / f"{request.id}.json", body)
    result_path = directory / f"{request.id}{_RESULT}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result_path.exists():
            result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
            result_path.unlink()
            return result
        time.sleep(0.1)
    with contextlib.suppress(FileNotFoundError):
        (directory / f"{request.id}.json").unlink()  # withdrawn, unless already taken
    raise RequestTimeout(f"the running proxy did not answer within {timeout_s:.0f} s")


def pending_requests(layout: StoreLayout) -> list[tuple[Path, AdminRequest | None]]:
    """Requests waiting, oldest first; None for a file that is not a valid request."""
    try:
        paths = sorted(
            (p for p in layout.requests_dir.glob("*.json") if not p.name.endswith(_RESULT)),
            key=lambda p: p.stat().st_mtime,
        )
    except FileNotFoundError:
        return []
    out: list[tuple[Path, AdminRequest | None]] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            params = {k: v for k, v in data.items() if k not in ("id", "action", "actor")}
            out.append((path, AdminRequest(data["action"], data["actor"], params, data["id"])))
        except (OSError, ValueError, KeyError, TypeError):
            out.append((path, None))
    return out


def answer(layout: StoreLayout, path: Path, request_id: str, result: dict[str, Any]) -> None:
    _write_atomically(layout.requests_dir / f"{request_id}{_RESULT}", result)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    temp = path.with_name(path.name + ".part")
    temp.write_text(json.dumps(data), encoding="utf-8")
    os.rename(temp, path)
