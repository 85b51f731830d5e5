"""A privacy purge while the proxy runs: `warden logs purge --user` removes the person's events
and alerts, and nothing the proxy still held in memory about them comes back afterwards."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import openai
import pytest

from tests.alerts.receivers import WebhookReceiver
from tests.e2e.conftest import ALICE_ON_LOOPBACK, WARDEN, StartWarden, Warden
from tests.support import MockProviders
from tests.support.eventually import eventually
from warden.state.alerts import SqliteAlertStore
from warden.state.db import StateDB

pytestmark = pytest.mark.e2e

# Format-valid, made up: a scoped OpenAI key with the marker every real one carries.
LEAKED_KEY = "sk-proj-" + "purgeE2eFakeKeyNoUse" + "T3BlbkFJ" + "qZ7xWv3Lm9Kp2Rt6Yb8Nc4Hd"
CLIENT_KEY = "sk-test-" + "d" * 40


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def policy(hook: WebhookReceiver) -> str:
    # A 10-minute window: a repeat inside it adds to the open alert instead of a new one.
    return f"""
    version: 1
    name: purge-e2e
    default_action: monitor
    dlp: {{ner: false}}
    alerts:
      sinks:
        soc-hook: {{type: webhook, url: "{hook.url}"}}
      rules:
        - id: leaked-secret
          when: {{detectors: [secret]}}
          sinks: [soc-hook]
          throttle: 10m
    """


def alerts_about(warden: Warden, user: str) -> list[dict]:
    store = SqliteAlertStore(StateDB.for_data_dir(warden.data_dir))
    return [view.alert for view in store.alerts() if view.alert.get("user") == user]


def purge(warden: Warden, user: str) -> str:
    result = subprocess.run(
        [str(WARDEN), "logs", "purge", "--user", user, "--yes", "--data-dir", str(warden.data_dir)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_purged_persons_open_alert_does_not_come_back_when_they_repeat_it(
    start_warden: StartWarden, mock: MockProviders, hook: WebhookReceiver
):
    warden = start_warden(policy=policy(hook), identity=ALICE_ON_LOOPBACK)
    mock.clear()
    client = openai.OpenAI(api_key=CLIENT_KEY, http_client=warden.client(), max_retries=0)
    prompt = f"Why is this rejected? client = OpenAI(api_key='{LEAKED_KEY}')"

    def chat() -> None:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
        )

    chat()
    chat()
    eventually(lambda: [a["count"] for a in alerts_about(warden, "alice")] == [2], 5)
    [before] = alerts_about(warden, "alice")
    assert sum(e["user"] == "alice" for e in warden.events() if e["type"] == "request") == 2

    said = purge(warden, "alice")
    assert "removed 2 events of user 'alice'" in said and "and 1 alerts" in said
    assert alerts_about(warden, "alice") == []

    # Alice sends the same thing again, well inside the alert's 10-minute window.
    chat()
    eventually(lambda: len(alerts_about(warden, "alice")) == 1, 5)
    [after] = alerts_about(warden, "alice")
    assert after["id"] != before["id"], "the purged alert was written back"
    assert after["count"] == 1
    # The security team hears of it as a new alert.
    eventually(lambda: len(hook.requests) == 2, 5)
    assert [r.json()["id"] for r in hook.requests] == [before["id"], after["id"]]
    # The purge is on record, and Alice's only request event is the one sent after it.
    # Waits for the last answer's event only: the purged ones are gone for good.
    events = warden.events(ids=warden.event_ids[-1:])
    [admin] = [e for e in events if e["type"] == "admin"]
    assert admin["details"]["target_user"] == "alice"
    assert admin["details"]["alerts_removed"] == 1
    assert sum(e["user"] == "alice" for e in events if e["type"] == "request") == 1
    # Nothing the proxy wrote about the first alert is left anywhere in the state store's
    # files (deleted rows are overwritten and the WAL checkpointed).
    on_disk = b"".join(p.read_bytes() for p in warden.data_dir.glob("state.sqlite3*"))
    assert on_disk and before["id"].encode() not in on_disk
    assert LEAKED_KEY.encode() not in on_disk
