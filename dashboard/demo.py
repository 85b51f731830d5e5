"""A small, realistic store for trying the dashboard and for its screenshots.

    .venv/bin/python -m dashboard.demo --dir /tmp/warden-demo [--events 4000]

Events go through the store's own writer (warden.store.writer.StoreWriter), alerts through
the alert store, exactly as the proxy records them. Values in findings are made up and only
their masked previews and salted hashes are written, as the proxy does. The demo users file
holds three users whose passwords are printed: never use it outside a demo.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.auth.roles import Role
from dashboard.auth.users import DashboardUsers
from warden.alerts.alert import Alert, AlertState, DeliveryState, DeliveryStatus, StateChange
from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Subject
from warden.catalog import Catalog
from warden.dlp.fingerprint import Fingerprinter, preview
from warden.state import open_state
from warden.state.alerts import SqliteAlertStore
from warden.state.deliveries import SqliteDeliveryQueue
from warden.store.event import AuditEvent, new_event_id
from warden.store.writer import StoreWriter, WriterSettings

__all__ = ["DEMO_PASSWORDS", "DEMO_POLICY", "DemoStore", "build_demo"]

DEMO_PASSWORDS = {
    "admin": "demo-admin-pw",
    "analyst": "demo-analyst-pw",
    "viewer": "demo-viewer-pw",
}

DEMO_POLICY = """\
# Demo policy for the dashboard's demo store (python -m dashboard.demo).
version: 1
name: demo
timezone: UTC
default_action: monitor
sanctioned: {openai: sanctioned, anthropic: sanctioned, github-copilot: sanctioned}

rules:
  - id: contractors-unsanctioned-apps
    match: {groups: [contractors], sanctioned: [unsanctioned]}
    action: block
    message: "Contractors may only use AI services the company has approved."

  - id: no-gpt5
    match: {models: ["gpt-5*"]}
    action: block
    message: "GPT-5 models are not approved for company data (ticket SEC-42)."

  - id: no-secrets
    match: {dlp: {entities: [SECRETS]}}
    action: block
    message: "Remove the credential from your prompt and rotate it."
    alert: {severity: high}

  - id: coach-web-apps
    match: {kinds: [web_app], sanctioned: [tolerated, unsanctioned]}
    action: coach
    message: "Not approved for customer data. Continue only if your task needs it."

  - id: protect-personal-data
    match: {dlp: {entities: [PII]}}
    action: redact
    redact:
      - {entities: [PII], style: placeholder, reversible: true}

  - id: large-pastes
    match: {prompt_tokens: {min: 8000}}
    action: monitor
    alert: {severity: medium, title: "Large paste"}

dlp:
  entities: [ALL]
  allow_list: []
  ner: false

alerts:
  sinks:
    soc-slack: {type: slack, webhook_url: "https://hooks.slack.example/services/demo"}
    siem: {type: syslog, host: siem.corp.example, port: 6514, protocol: tcp}
"""

PEOPLE = [
    ("alice.meyer", ["engineering"]),
    ("bob.schmidt", ["engineering"]),
    ("carla.rossi", ["data-science"]),
    ("dan.okafor", ["marketing"]),
    ("eve.larsen", ["contractors"]),
    ("femi.adeyemi", ["engineering"]),
    ("grace.kim", ["legal"]),
    ("hugo.martin", ["interns", "engineering"]),
    ("ines.duarte", ["data-science"]),
    ("jonas.berg", ["engineering"]),
    ("kate.walsh", ["marketing"]),
    ("liam.chen", ["contractors"]),
    ("maya.patel", ["finance"]),
    ("noah.fischer", ["engineering"]),
    ("olga.ivanova", ["support"]),
    ("paul.dubois", ["sales"]),
    ("quinn.harper", ["support"]),
    ("rosa.alvarez", ["sales"]),
    ("sam.taylor", ["interns", "marketing"]),
    ("tara.singh", ["finance"]),
]
# app id, model choices, weight, endpoint
APPS: list[tuple[str, list[str | None], int]] = [
    ("openai", ["gpt-4o-mini", "gpt-4.1", "gpt-4o", "gpt-5"], 40),
    ("anthropic", ["claude-sonnet-4-5", "claude-haiku-4-5"], 20),
    ("github-copilot", ["gpt-4.1"], 10),
    ("gemini-api", ["gemini-2.5-flash", "gemini-2.5-pro"], 8),
    ("mistral", ["mistral-large-latest"], 4),
    ("chatgpt-web", ["auto"], 10),
    ("claude-web", [None], 4),
    ("deepseek-chat", [None], 2),
    ("perplexity-web", [None], 2),
]
VISITED = ["character-ai", "gemini-web", "meta-ai"]
PRICES = {
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4.1": (2.0, 8.0),
    "gpt-4o": (2.5, 10.0),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "gemini-2.5-flash": (0.3, 2.5),
    "gemini-2.5-pro": (1.25, 10.0),
    "mistral-large-latest": (2.0, 6.0),
}
PROMPTS = [
    "Summarise the attached meeting notes in five bullet points.",
    "Write a unit test for the parse_invoice function below.",
    "Translate this paragraph into German, keep the tone formal.",
    "Explain the difference between a left join and an inner join.",
    "Draft a polite reply declining the vendor's renewal offer.",
    "Refactor this function to avoid the nested loops.",
]
PII_PROMPTS = [
    (
        "Reply to <EMAIL_1> and confirm the delivery date for order 4411.",
        [("EMAIL_ADDRESS", "jane.doe@customer.example")],
    ),
    (
        "Write a follow-up to <PERSON_1> (phone <PHONE_1>) about the overdue invoice.",
        [("PERSON", "Martin Kowalski"), ("PHONE_NUMBER", "+49 30 1234 5678")],
    ),
    (
        "Is the IBAN <IBAN_1> formatted correctly for a SEPA transfer?",
        [("IBAN_CODE", "DE89370400440532013000")],
    ),
]
SECRETS = [
    ("OPENAI_API_KEY", "sk-proj-" + "Demo" * 10 + "x9aB"),
    ("AWS_ACCESS_KEY_ID", "AKIA" + "DEMO" * 4),
    ("GITHUB_TOKEN", "ghp_" + "demo" * 9),
]


@dataclass(frozen=True)
class DemoStore:
    data_dir: Path
    policy: Path
    users_file: Path
    events: int
    alerts: int


def build_demo(
    root: Path, *, events: int = 4000, days: float = 7.0, seed: int = 7, now: float | None = None
) -> DemoStore:
    """Create <root>/data (store, alerts, salt), <root>/policy.yaml and <root>/users.yaml."""
    rng = random.Random(seed)
    now = time.time() if now is None else now
    data_dir = root / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    salt = hashlib.sha256(f"demo-{seed}".encode()).digest()
    (data_dir / "dlp-salt").write_text(salt.hex() + "\n", encoding="ascii")
    fingerprint = Fingerprinter(salt)
    catalog = Catalog.default()
    policy = root / "policy.yaml"
    policy.write_text(DEMO_POLICY, encoding="utf-8")
    users = DashboardUsers()
    for name, password in DEMO_PASSWORDS.items():
        users = users.with_user(name, Role(name), password)
    users_file = root / "users.yaml"
    users.save(users_file)

    writer = StoreWriter(
        data_dir, WriterSettings(flush_interval_s=0.2, maintenance_interval_s=3600)
    )
    writer.start()
    made: list[AuditEvent] = []
    try:
        for _ in range(events):
            # More traffic recently, and during working hours, like a real week.
            age = days * 86_400 * rng.random() ** 1.6
            at = now - age
            event = (
                _request(rng, catalog, fingerprint, at)
                if rng.random() > 0.03
                else _visit(rng, catalog, at)
            )
            made.append(event)
        made.sort(key=lambda e: e.time)
        for event in made:
            writer.append(event)
        writer.flush()
    finally:
        writer.close()
    alerts = _alerts(rng, data_dir, made, fingerprint, now)
    return DemoStore(data_dir, policy, users_file, len(made), alerts)


def _person(rng: random.Random) -> tuple[str, list[str]]:
    # A few people do most of the work, as everywhere.
    index = min(int(rng.paretovariate(1.2)) - 1, len(PEOPLE) - 1)
    name, groups = PEOPLE[index] if rng.random() < 0.6 else rng.choice(PEOPLE)
    return f"{name}@corp.example", ["staff", *groups]


def _request(
    rng: random.Random, catalog: Catalog, fingerprint: Fingerprinter, at: float
) -> AuditEvent:
    user, groups = _person(rng)
    app_id, models, _ = rng.choices(APPS, weights=[a[2] for a in APPS])[0]
    entry = catalog.get(app_id)
    assert entry is not None
    model = rng.choice(models)
    sanctioned = (
        "sanctioned"
        if app_id in ("openai", "anthropic", "github-copilot")
        else str(entry.sanctioned)
    )
    host = entry.hosts[0].replace("*.", "api.")
    tokens_in = int(rng.lognormvariate(6.0, 1.0))
    event = AuditEvent(
        type="request",
        time=at,
        id=new_event_id(),
        user=user,
        groups=groups,
        device=f"{user.split('@')[0]}-laptop",
        identity_source="proxy_auth",
        client_ip=f"10.20.{rng.randint(0, 9)}.{rng.randint(2, 250)}",
        provider=entry.vendor,
        app=app_id,
        app_kind=str(entry.kind),
        sanctioned=str(entry.sanctioned),
        host=host,
        method="POST",
        path="/v1/chat/completions" if entry.kind != "web_app" else "/backend-api/conversation",
        endpoint="chat",
        model=model,
        stream=rng.random() < 0.5,
        decrypted=True,
        status=200,
        latency_ms=round(rng.uniform(300, 9000), 1),
        ttfb_ms=round(rng.uniform(80, 900), 1),
        request_bytes=tokens_in * 4,
        capture="redacted",
        action="monitor",
        prompt_text=f"[user] {rng.choice(PROMPTS)}",
        prompt_truncated=False,
    )
    roll = rng.random()
    if "contractors" in groups and sanctioned == "unsanctioned":
        _block(
            event,
            "contractors-unsanctioned-apps",
            "Contractors may only use AI services the company has approved.",
        )
    elif model and model.startswith("gpt-5") and roll < 0.9:
        _block(event, "no-gpt5", "GPT-5 models are not approved for company data (ticket SEC-42).")
    elif roll < 0.025:
        entity, value = rng.choice(SECRETS)
        _block(event, "no-secrets", "Remove the credential from your prompt and rotate it.")
        _findings(event, fingerprint, [(entity, value)], rng)
        event.decision["alert"] = {"severity": "high", "title": ""}
    elif entry.kind == "web_app" and sanctioned != "sanctioned" and roll < 0.2:
        event.action, event.rule_id, event.status = "coach", "coach-web-apps", 403
        event.reason = "Not approved for customer data. Continue only if your task needs it."
        event.prompt_text = None
    elif roll < 0.12:
        text, found = rng.choice(PII_PROMPTS)
        event.action, event.rule_id = "redact", "protect-personal-data"
        event.reason = "Personal data becomes placeholders restored in the answer."
        event.prompt_text = f"[user] {text}"
        _findings(event, fingerprint, found, rng)
        counts: dict[str, int] = {}
        for entity, _ in found:
            counts[entity] = counts.get(entity, 0) + 1
        event.redaction = {"count": len(found), "by_type": counts, "reversible": True}
    elif roll < 0.135:
        event.rule_id, event.reason = "large-pastes", "Large paste"
        tokens_in = rng.randint(8000, 30000)
    if event.decision is None:
        event.decision = {
            "action": event.action,
            "rule_id": event.rule_id,
            "reason": event.reason or "default action",
        }
    if not event.blocked and event.action != "coach":
        tokens_out = int(rng.lognormvariate(5.5, 0.8))
        event.input_tokens, event.output_tokens = tokens_in, tokens_out
        event.usage_source = "provider"
        price = PRICES.get(model or "")
        if price:
            event.cost_usd = (tokens_in * price[0] + tokens_out * price[1]) / 1e6
            event.price_known, event.price_version = True, "demo"
        event.response_text = "Here is a summary: ..."
    return event


def _block(event: AuditEvent, rule: str, reason: str) -> None:
    event.action, event.rule_id, event.reason = "block", rule, reason
    event.blocked, event.status, event.prompt_text = True, 403, None
    event.decision = {"action": "block", "rule_id": rule, "reason": reason}


def _findings(
    event: AuditEvent,
    fingerprint: Fingerprinter,
    found: list[tuple[str, str]],
    rng: random.Random,
) -> None:
    items: list[dict[str, Any]] = [
        {
            "type": entity,
            "path": "messages[0].content",
            "preview": preview(value),
            "score": round(rng.uniform(0.6, 0.99), 3),
            "hash": fingerprint.hash(value),
        }
        for entity, value in found
    ]
    counts: dict[str, int] = {}
    for entity, _ in found:
        counts[entity] = counts.get(entity, 0) + 1
    event.finding_count = len(found)
    event.finding_types = sorted(counts)
    event.findings = {"counts": counts, "items": items}


def _visit(rng: random.Random, catalog: Catalog, at: float) -> AuditEvent:
    user, groups = _person(rng)
    entry = catalog.get(rng.choice(VISITED))
    assert entry is not None
    return AuditEvent(
        type="visit",
        time=at,
        id=new_event_id(),
        user=user,
        groups=groups,
        identity_source="proxy_auth",
        provider=entry.vendor,
        app=entry.id,
        app_kind=str(entry.kind),
        sanctioned=str(entry.sanctioned),
        host=entry.hosts[0],
        decrypted=False,
    )


def _alerts(
    rng: random.Random,
    data_dir: Path,
    events: list[AuditEvent],
    fingerprint: Fingerprinter,
    now: float,
) -> int:
    db = open_state(data_dir)
    store = SqliteAlertStore(db)
    deliveries = SqliteDeliveryQueue(db)
    secrets = [e for e in events if e.rule_id == "no-secrets"]
    pastes = [e for e in events if e.rule_id == "large-pastes"]
    unsanctioned = [e for e in events if e.type == "request" and e.app == "deepseek-chat"]
    made = 0
    plans = [
        (secrets, Severity.HIGH, "secrets", "prompt", "Credential in a prompt"),
        (pastes[:12], Severity.MEDIUM, "paste", "prompt", "Large paste"),
        (unsanctioned[:6], Severity.MEDIUM, "unsanctioned", "policy", "Unsanctioned AI app used"),
    ]
    for group, severity, detector, category, title in plans:
        for event in group:
            items = (event.findings or {}).get("items") or []
            evidence = tuple(Evidence(i["type"], i["preview"], i["hash"]) for i in items)
            alert = Alert(
                id=f"al-{new_event_id()[:16]}",
                rule=f"demo-{detector}",
                dedupe_key=event.id or "",
                severity=severity,
                title=f"{title}: {event.user}",
                detector=detector,
                category=category,
                score=round(rng.uniform(0.6, 0.99), 2),
                reasons=(Reason(detector, f"{title} ({event.app}, rule {event.rule_id})"),),
                evidence=evidence,
                subject=Subject(
                    user=event.user or "anonymous",
                    groups=tuple(event.groups),
                    app=event.app,
                    app_name=event.app,
                    vendor=event.provider,
                    host=event.host,
                    model=event.model,
                    event_id=event.id,
                    action=event.action,
                    rule_id=event.rule_id,
                ),
                sinks=("soc-slack", "siem"),
                first_seen=event.time,
                last_seen=event.time,
                window_ends=event.time + 600,
                first_event_id=event.id,
                last_event_id=event.id,
            )
            store.record_alert(alert)
            made += 1
            # The SIEM has been unreachable for the last six hours; Slack always works.
            siem_down = event.time > now - 6 * 3600
            for sink in alert.sinks:
                ok = sink == "soc-slack" or not siem_down
                deliveries.record_outcomes(
                    [
                        DeliveryStatus(
                            alert.id,
                            sink,
                            "alert",
                            DeliveryState.DELIVERED if ok else DeliveryState.FAILED,
                            attempts=1 if ok else 5,
                            last_error=None if ok else "siem.corp.example:6514: connection refused",
                            delivered_at=event.time + 2 if ok else None,
                            at=event.time + 2,
                        )
                    ]
                )
            if event.time < now - 2 * 86_400 and rng.random() < 0.7:
                state = AlertState.RESOLVED if rng.random() < 0.6 else AlertState.ACKNOWLEDGED
                store.record_state(
                    StateChange(
                        alert.id, state, "soc.oncall", "checked with the user", at=event.time + 3600
                    )
                )
    db.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--dir", type=Path, required=True, help="created; data/ goes inside")
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--force", action="store_true", help="replace an existing demo")
    args = parser.parse_args()
    if args.dir.exists() and any(args.dir.iterdir()):
        if not args.force:
            parser.error(f"{args.dir} is not empty (use --force to replace it)")
        shutil.rmtree(args.dir)
    demo = build_demo(args.dir, events=args.events)
    print(f"demo store: {demo.events} events, {demo.alerts} alerts in {demo.data_dir}")
    print(
        f"run: warden dashboard --data-dir {demo.data_dir} --users {demo.users_file} "
        f"--policy {demo.policy}"
    )
    for name, password in DEMO_PASSWORDS.items():
        print(f"  sign in as {name} / {password}")


if __name__ == "__main__":
    main()
