"""A small store with one request of every kind the dashboard shows, written by the store's
own writer, plus alerts in the alert store, a users file and a policy.

Every figure a test asserts follows from the constants here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from dashboard.auth.roles import Role
from dashboard.auth.users import DashboardUser, DashboardUsers
from warden.alerts.alert import Alert, DeliveryState, DeliveryStatus
from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Subject
from warden.dlp.fingerprint import Fingerprinter, preview
from warden.state import open_state
from warden.state.alerts import SqliteAlertStore
from warden.state.deliveries import SqliteDeliveryQueue
from warden.store.event import AuditEvent
from warden.store.writer import StoreWriter, WriterSettings

PASSWORDS = {
    "admin": "admin-password-1",
    "analyst": "analyst-password-1",
    "viewer": "viewer-password-1",
}
SALT = bytes(range(32))
FINGERPRINT = Fingerprinter(SALT)

# Made-up values: only their previews and hashes are stored, as the proxy does.
EMAIL = "jane.doe@customer.example"
FAKE_KEY = "sk-proj-" + "Fixture" * 6 + "x9aB"
PROMPT_MARKER = "PROMPT-MARKER-7f3a"  # in captured prompt text: viewers must never see it
EMAIL_PREVIEW = preview(EMAIL)
KEY_PREVIEW = preview(FAKE_KEY)

ALLOWED = 30  # plain allowed requests, in the last hour
OLD_ALLOWED = 5  # allowed requests three days ago
# In the last 24 hours: the allowed ones plus blocked (2), redacted, coached and flagged.
RECENT_REQUESTS = ALLOWED + 5
RECENT_USERS = 7  # user0..user2 and alice, bob, carol, dave
RECENT_TOKENS = (ALLOWED + 2) * 150  # blocked and coached requests used none
BLOCKED_ID = "req-blocked-gpt5"
SECRET_ID = "req-blocked-secret"
REDACTED_ID = "req-redacted"
COACHED_ID = "req-coached"
FLAGGED_ID = "req-flagged"
VISIT_ID = "visit-1"

POLICY = """\
version: 1
name: fixture
default_action: monitor
sanctioned: {openai: sanctioned}
rules:
  - id: no-gpt5
    match: {models: ["gpt-5*"]}
    action: block
    message: "GPT-5 models are not approved (ticket SEC-42)."
  - id: no-secrets
    match: {dlp: {entities: [SECRETS]}}
    action: block
    message: "Remove the credential."
  - id: protect-personal-data
    match: {dlp: {entities: [PII]}}
    action: redact
    redact:
      - {entities: [PII], style: placeholder, reversible: true}
# Allow-list entries below are added by the dashboard's false positive review.
dlp:
  entities: [ALL]
  allow_list: []
  ner: false
"""


@dataclass(frozen=True)
class FixtureStore:
    root: Path
    data_dir: Path
    policy: Path
    users_file: Path
    high_alert_id: str
    medium_alert_id: str


def _request(i: int, at: float, **fields: object) -> AuditEvent:
    base: dict[str, object] = {
        "type": "request",
        "time": at,
        "id": f"req-{i}",
        "user": f"user{i % 3}@corp.example",
        "groups": ["staff", "engineering" if i % 2 else "marketing"],
        "provider": "OpenAI",
        "app": "openai",
        "app_kind": "api",
        "sanctioned": "tolerated",
        "host": "api.openai.com",
        "path": "/v1/chat/completions",
        "endpoint": "chat",
        "model": "gpt-4o-mini",
        "decrypted": True,
        "status": 200,
        "action": "monitor",
        "decision": {"action": "monitor", "rule_id": None, "reason": "default action"},
        "input_tokens": 100,
        "output_tokens": 50,
        "cost_usd": 0.001,
        "capture": "redacted",
        "prompt_text": "[user] hello there",
    }
    base.update(fields)
    return AuditEvent(**base)  # type: ignore[arg-type]


def build(root: Path, now: float | None = None) -> FixtureStore:
    now = time.time() if now is None else now
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    (data_dir / "dlp-salt").write_text(SALT.hex() + "\n")
    events = [_request(i, now - 60 - i * 30) for i in range(ALLOWED)]
    events += [_request(100 + i, now - 3 * 86_400 - i) for i in range(OLD_ALLOWED)]
    blocked = {
        "blocked": True,
        "status": 403,
        "prompt_text": None,
        "input_tokens": None,
        "output_tokens": None,
        "cost_usd": None,
    }
    events.append(
        _request(
            1000,
            now - 120,
            id=BLOCKED_ID,
            user="alice@corp.example",
            model="gpt-5",
            action="block",
            rule_id="no-gpt5",
            reason="GPT-5 models are not approved",
            decision={"action": "block", "rule_id": "no-gpt5", "reason": "GPT-5 models"},
            **blocked,
        )
    )
    events.append(
        _request(
            1001,
            now - 200,
            id=SECRET_ID,
            user="bob@corp.example",
            action="block",
            rule_id="no-secrets",
            reason="Remove the credential.",
            decision={"action": "block", "rule_id": "no-secrets", "reason": "credential"},
            finding_count=1,
            finding_types=["OPENAI_API_KEY"],
            findings={
                "counts": {"OPENAI_API_KEY": 1},
                "items": [
                    {
                        "type": "OPENAI_API_KEY",
                        "path": "messages[0].content",
                        "preview": KEY_PREVIEW,
                        "score": 0.95,
                        "hash": FINGERPRINT.hash(FAKE_KEY),
                    }
                ],
            },
            alert_ids=["al-high"],
            **blocked,
        )
    )
    events.append(
        _request(
            1002,
            now - 300,
            id=REDACTED_ID,
            user="carol@corp.example",
            action="redact",
            rule_id="protect-personal-data",
            reason="personal data becomes placeholders",
            decision={"action": "redact", "rule_id": "protect-personal-data", "reason": "pii"},
            finding_count=1,
            finding_types=["EMAIL_ADDRESS"],
            findings={
                "counts": {"EMAIL_ADDRESS": 1},
                "items": [
                    {
                        "type": "EMAIL_ADDRESS",
                        "path": "messages[0].content",
                        "preview": EMAIL_PREVIEW,
                        "score": 0.9,
                        "hash": FINGERPRINT.hash(EMAIL),
                    }
                ],
            },
            redaction={"count": 1, "by_type": {"EMAIL_ADDRESS": 1}, "reversible": True},
            prompt_text=f"[user] Reply to <EMAIL_1> about {PROMPT_MARKER}",
        )
    )
    events.append(
        _request(
            1003,
            now - 400,
            id=COACHED_ID,
            user="dave@corp.example",
            provider="OpenAI",
            app="chatgpt-web",
            app_kind="web_app",
            sanctioned="unsanctioned",
            host="chatgpt.com",
            model=None,
            action="coach",
            rule_id="coach-web",
            status=403,
            prompt_text=None,
            input_tokens=None,
            output_tokens=None,
            cost_usd=None,
        )
    )
    events.append(
        _request(1004, now - 500, id=FLAGGED_ID, rule_id="large-pastes", reason="Large paste")
    )
    events.append(
        AuditEvent(
            type="visit",
            time=now - 600,
            id=VISIT_ID,
            user="dave@corp.example",
            provider="Character Technologies",
            app="character-ai",
            app_kind="web_app",
            sanctioned="unsanctioned",
            host="neo.character.ai",
            decrypted=False,
        )
    )
    writer = StoreWriter(
        data_dir, WriterSettings(flush_interval_s=0.05, maintenance_interval_s=3600)
    )
    writer.start()
    try:
        for event in sorted(events, key=lambda e: e.time):
            writer.append(event)
        assert writer.flush(), writer.error
    finally:
        writer.close()

    state = open_state(data_dir)
    alerts = SqliteAlertStore(state)
    high = _alert(
        "al-high",
        Severity.HIGH,
        "Credential in a prompt",
        "secrets",
        "bob@corp.example",
        SECRET_ID,
        now - 200,
        (Evidence("OPENAI_API_KEY", KEY_PREVIEW, "h"),),
    )
    medium = _alert(
        "al-medium",
        Severity.MEDIUM,
        "Unsanctioned app",
        "unsanctioned",
        "dave@corp.example",
        COACHED_ID,
        now - 400,
        (),
    )
    for alert in (high, medium):
        alerts.record_alert(alert)
    SqliteDeliveryQueue(state).record_outcomes(
        [
            DeliveryStatus(
                "al-high",
                "soc-slack",
                "alert",
                DeliveryState.FAILED,
                attempts=5,
                last_error="connection refused",
                at=now - 100,
            )
        ]
    )
    state.close()

    policy = root / "policy.yaml"
    policy.write_text(POLICY)
    # Cost 4 instead of the shipped 10: bcrypt reads the cost from the hash, so sign-in
    # runs the same code, and the ~200 sign-ins of the suite cost 60 ms less CPU each.
    users = DashboardUsers(
        users={
            name: DashboardUser(
                role=Role(name),
                password=bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode(),
            )
            for name, password in PASSWORDS.items()
        }
    )
    users_file = root / "dashboard-users.yaml"
    users.save(users_file)
    return FixtureStore(root, data_dir, policy, users_file, high.id, medium.id)


def _alert(
    alert_id: str,
    severity: Severity,
    title: str,
    detector: str,
    user: str,
    event_id: str,
    at: float,
    evidence: tuple[Evidence, ...],
) -> Alert:
    return Alert(
        id=alert_id,
        rule=f"rule-{detector}",
        dedupe_key=alert_id,
        severity=severity,
        title=title,
        detector=detector,
        category="prompt",
        score=0.9,
        reasons=(Reason(detector, f"{title} (fixture)"),),
        evidence=evidence,
        subject=Subject(user=user, app="openai", app_name="OpenAI API", event_id=event_id),
        sinks=("soc-slack",),
        first_seen=at,
        last_seen=at,
        window_ends=at + 600,
        first_event_id=event_id,
        last_event_id=event_id,
    )
