"""Escalate a reviewed request: raise an alert in the alert store, where the team works.

The alert is written to the state database the proxy writes too (SQLite in WAL mode: short
transactions, neither waits long for the other). It carries what the request's event
carries, masked previews included, never a value. It is stored, not sent: delivery to Slack
or e-mail is the proxy's job, and the dashboard holds no sink credentials.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from warden.alerts.alert import Alert
from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Subject
from warden.state import open_state
from warden.state.alerts import SqliteAlertStore

__all__ = ["DASHBOARD_WRITER", "alert_store", "escalate"]

DASHBOARD_WRITER = "dashboard"


def alert_store(data_dir: Path) -> SqliteAlertStore:
    # One connection per call: the dashboard's script reruns hold nothing open between them.
    return SqliteAlertStore(open_state(data_dir))


def escalate(
    data_dir: Path, event: dict[str, Any], who: str, note: str, severity: Severity
) -> Alert:
    now = time.time()
    findings = (event.get("findings") or {}).get("items") or []
    evidence = tuple(
        Evidence(str(f.get("type")), str(f.get("preview", "")), str(f.get("hash") or ""))
        for f in findings[:10]
    )
    subject = Subject(
        user=event.get("user") or "anonymous",
        groups=tuple(event.get("groups") or ()),
        device=event.get("device"),
        client_ip=event.get("client_ip"),
        app=event.get("app"),
        app_name=event.get("app"),
        vendor=event.get("provider"),
        host=event.get("host"),
        model=event.get("model"),
        event_id=event.get("id"),
        action=event.get("action"),
        rule_id=event.get("rule_id"),
    )
    what = event.get("rule_id") or event.get("action") or "request"
    alert = Alert(
        id=f"esc-{uuid.uuid4().hex[:16]}",
        rule="dashboard-escalation",
        dedupe_key=f"escalation:{event.get('id')}",
        severity=severity,
        title=f"Escalated by {who}: {what} for {subject.user}",
        detector="review",
        category="review",
        score=1.0,
        reasons=(Reason("escalated", note.strip() or f"escalated from the review queue by {who}"),),
        evidence=evidence,
        subject=subject,
        sinks=(),
        first_seen=now,
        last_seen=now,
        window_ends=now,
        first_event_id=event.get("id"),
        last_event_id=event.get("id"),
        metrics={"escalated_by": who},
    )
    alert_store(data_dir).record_alert(alert)
    return alert
