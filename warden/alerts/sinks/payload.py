"""How an alert reads outside Warden: one JSON document (webhook, syslog JSON) and a few lines
of text (Slack, email). Built only from the alert record, which holds masked previews."""

from __future__ import annotations

from typing import Any

from warden.alerts.alert import iso
from warden.alerts.sinks.base import Notice

__all__ = ["document", "facts", "headline"]

SOURCE = "egress-warden"


def document(notice: Notice) -> dict[str, Any]:
    a = notice.alert
    return {
        "source": SOURCE,
        "kind": notice.kind,
        "id": a["id"],
        "severity": a["severity"],
        "title": a["title"],
        "rule": a["rule"],
        "detector": a["detector"],
        "category": a["category"],
        "score": a["score"],
        "count": a["count"],
        "reasons": a["reasons"],
        "evidence": a["evidence"],
        "user": a["user"],
        "groups": a["groups"],
        "device": a["device"],
        "client_ip": a["client_ip"],
        "app": a["app"],
        "app_name": a["app_name"],
        "host": a["host"],
        "model": a["model"],
        "action": a["action"],
        "policy_rule": a["policy_rule"],
        "first_seen": iso(a["first_seen"]),
        "last_seen": iso(a["last_seen"]),
        "event_id": a["first_event_id"],
        "metrics": a.get("metrics", {}),
        "test": a.get("test", False),
    }


def headline(notice: Notice) -> str:
    a = notice.alert
    where = a.get("app_name") or a.get("host") or "an AI service"
    text = f"[{str(a['severity']).upper()}] {a['title']}: {a['user']} on {where}"
    if notice.kind == "summary":
        text += f" (repeated {a['count']} times)"
    elif notice.kind == "test":
        text = f"[TEST] {a['title']}"
    return text


def facts(notice: Notice) -> list[tuple[str, str]]:
    """(label, value) pairs for people to read, most important first."""
    a = notice.alert
    out = [
        ("Severity", str(a["severity"])),
        ("User", a["user"] + (f" ({', '.join(a['groups'])})" if a.get("groups") else "")),
        ("App", a.get("app_name") or a.get("app") or "-"),
        ("Reasons", "; ".join(r["text"] for r in a["reasons"]) or "-"),
    ]
    evidence = [
        f"{e['entity_type']} {e['preview']}".strip() + (f" x{e['count']}" if e["count"] > 1 else "")
        for e in a["evidence"]
    ]
    if evidence:
        out.append(("Evidence (masked)", ", ".join(evidence)))
    if a.get("device") or a.get("client_ip"):
        out.append(("Device", a.get("device") or a.get("client_ip") or "-"))
    if a.get("model"):
        out.append(("Model", a["model"]))
    if a.get("action"):
        out.append(
            ("Decision", a["action"] + (f" ({a['policy_rule']})" if a.get("policy_rule") else ""))
        )
    out.append(("Count", str(a["count"])))
    out.append(("First seen", iso(a["first_seen"]) or "-"))
    out.append(("Rule", a["rule"]))
    out.append(("Alert id", a["id"]))
    return out
