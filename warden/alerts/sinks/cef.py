"""ArcSight Common Event Format (CEF:0) for an alert, as SIEMs parse it from syslog.

    CEF:0|Egress Warden|Warden|1|<detector>|<title>|<0-10>|rt=... suser=... cnt=... msg=...

Header fields escape backslash and pipe; extension values escape backslash, equals sign and
line breaks, as the CEF specification requires.
"""

from __future__ import annotations

import ipaddress

from warden.alerts.sinks.base import Notice

__all__ = ["CEF_SEVERITY", "cef_message"]

VENDOR, PRODUCT, VERSION = "Egress Warden", "Warden", "1"
CEF_SEVERITY = {"low": 3, "medium": 5, "high": 8, "critical": 10}


def _header(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _value(value: object) -> str:
    text = str(value)
    return (
        text.replace("\\", "\\\\")
        .replace("=", "\\=")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _is_ip(value: str | None) -> bool:
    if not value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def cef_message(notice: Notice) -> str:
    a = notice.alert
    ext: list[tuple[str, object]] = [
        ("rt", int(a["last_seen"] * 1000)),
        ("start", int(a["first_seen"] * 1000)),
        ("cnt", a["count"]),
        ("suser", a["user"]),
        ("cat", a["category"]),
        ("msg", "; ".join(r["text"] for r in a["reasons"])),
        ("externalId", a["id"]),
        ("cs1Label", "app"),
        ("cs1", a.get("app_name") or a.get("app") or ""),
        ("cs2Label", "rule"),
        ("cs2", a["rule"]),
        ("cs3Label", "evidence"),
        (
            "cs3",
            ", ".join(f"{e['entity_type']} {e['preview']}".strip() for e in a["evidence"]),
        ),
        ("cs4Label", "kind"),
        ("cs4", notice.kind),
        ("cfp1Label", "score"),
        ("cfp1", a["score"]),
    ]
    if _is_ip(a.get("client_ip")):
        ext.append(("src", a["client_ip"]))
    if a.get("device"):
        ext.append(("shost", a["device"]))
    if a.get("host"):
        ext.append(("dhost", a["host"]))
    if a.get("action"):
        ext.append(("act", a["action"]))
    if a.get("model"):
        ext += [("cs5Label", "model"), ("cs5", a["model"])]
    header = "|".join(
        [
            "CEF:0",
            _header(VENDOR),
            _header(PRODUCT),
            VERSION,
            _header(str(a["detector"])),
            _header(str(a["title"])),
            str(CEF_SEVERITY.get(str(a["severity"]), 5)),
        ]
    )
    return header + "|" + " ".join(f"{k}={_value(v)}" for k, v in ext if v != "")
