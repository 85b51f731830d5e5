"""Records one event per AI request, and one per tunnel to an AI host that was not decrypted.

Events are JSON lines in <data dir>/events.jsonl for now; the DuckDB audit store (issue 5)
takes them over. No prompt text, no credentials: only who, where, what kind, and the outcome.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import IO, Any

from mitmproxy import connection, http

from addons.runtime import RuntimeAddon
from warden.catalog import CatalogEntry
from warden.identity import Identity

log = logging.getLogger("warden.audit")


class AuditAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime
        self._file: IO[str] | None = None
        self._path: Path | None = None

    def running(self) -> None:
        data_dir = self._runtime.current().config.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self._path = data_dir / "events.jsonl"
        self._file = self._path.open("a", encoding="utf-8", buffering=1)

    def done(self) -> None:
        if self._file:
            self._file.close()

    def response(self, flow: http.HTTPFlow) -> None:
        self._record_flow(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._record_flow(flow)

    def record_visit(self, client: connection.Client, host: str, entry: CatalogEntry) -> None:
        self._write(
            {
                "type": "visit",
                "time": time.time(),
                "client_ip": client.peername[0] if client.peername else None,
                "host": host,
                "app": entry.id,
                "kind": str(entry.kind),
                "decrypted": False,
            }
        )

    def _record_flow(self, flow: http.HTTPFlow) -> None:
        entry: CatalogEntry | None = flow.metadata.get("warden.app")
        if entry is None or flow.metadata.get("warden.internal"):
            return
        identity: Identity | None = flow.metadata.get("warden.identity")
        normalized = flow.metadata.get("warden.request")
        decision = flow.metadata.get("warden.decision")
        req, resp = flow.request, flow.response
        event: dict[str, Any] = {
            "type": "request",
            "time": req.timestamp_start,
            "id": flow.id,
            "user": identity.user if identity else None,
            "groups": list(identity.groups) if identity else [],
            "client_ip": identity.client_ip if identity else None,
            "app": entry.id,
            "host": req.pretty_host,
            "method": req.method,
            "path": req.path.split("?", 1)[0],
            "endpoint": str(normalized.endpoint) if normalized else None,
            "model": normalized.model if normalized else None,
            "stream": normalized.stream if normalized else None,
            "segments": len(normalized.segments) if normalized else 0,
            "status": resp.status_code if resp else None,
            "decision": decision.to_dict() if decision else None,
            "rejected": flow.metadata.get("warden.rejected"),
            "error": flow.error.msg if flow.error else None,
            "request_bytes": len(req.raw_content or b""),
        }
        if resp is not None and resp.timestamp_start and req.timestamp_start:
            event["ttfb_ms"] = round((resp.timestamp_start - req.timestamp_start) * 1000, 2)
        if resp is not None and resp.timestamp_end and req.timestamp_start:
            event["latency_ms"] = round((resp.timestamp_end - req.timestamp_start) * 1000, 2)
        self._write(event)

    def _write(self, event: dict[str, Any]) -> None:
        if self._file is None:
            return
        try:
            self._file.write(json.dumps(event, separators=(",", ":")) + "\n")
        except OSError:
            log.exception("could not write the audit event to %s", self._path)
