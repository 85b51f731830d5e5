"""`warden alerts test`, `list`, `ack` and `resolve` as a person runs them."""

from __future__ import annotations

import json
import textwrap

from tests.alerts.factories import secret_alert
from tests.support import free_port
from tests.support.eventually import eventually
from warden.cli import main
from warden.state.alerts import SqliteAlertStore
from warden.state.db import StateDB


def write_policy(tmp_path, sinks: str) -> str:
    path = tmp_path / "policy.yaml"
    path.write_text(textwrap.dedent("version: 1\nalerts:\n  sinks:\n") + sinks)
    return str(path)


def test_alerts_test_reaches_every_sink_and_reports_each(
    tmp_path, webhook, slack, syslog_tcp, smtp, monkeypatch, capsys
):
    monkeypatch.setenv("WARDEN_TEST_HMAC", "k")
    monkeypatch.setenv("WARDEN_TEST_SMTP_PW", smtp.password)
    before = len(smtp.messages)
    policy = write_policy(
        tmp_path,
        f"""\
    hook: {{type: webhook, url: "{webhook.url}", secret_env: WARDEN_TEST_HMAC}}
    chat: {{type: slack, webhook_url: "{slack.url}"}}
    siem: {{type: syslog, host: 127.0.0.1, port: {syslog_tcp.port}, protocol: tcp}}
    mail:
      type: email
      host: 127.0.0.1
      port: {smtp.port}
      username: {smtp.user}
      password_env: WARDEN_TEST_SMTP_PW
      from: warden@example.com
      to: [soc@example.com]
      ca_file: "{smtp.pki.ca_cert}"
""",
    )
    assert main(["alerts", "test", "--policy", policy]) == 0
    out = capsys.readouterr().out
    for name in ("hook", "chat", "siem", "mail"):
        assert f"ok      {name} (" in out
    assert webhook.requests[0].json()["kind"] == "test"
    assert slack.requests[0].json()["text"].startswith("[TEST]")
    eventually(lambda: len(syslog_tcp.messages) == 1)
    assert b" test - CEF:0|" in syslog_tcp.messages[0]
    assert len(smtp.messages) == before + 1


def test_alerts_test_fails_when_a_sink_is_down(tmp_path, webhook, capsys):
    dead = free_port()
    policy = write_policy(
        tmp_path,
        f"""\
    up: {{type: webhook, url: "{webhook.url}"}}
    down: {{type: webhook, url: "http://127.0.0.1:{dead}/hook", timeout_s: 2}}
""",
    )
    assert main(["alerts", "test", "--policy", policy, "--json"]) == 1
    results = {r["sink"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["up"]["ok"] and not results["down"]["ok"]
    assert "ConnectError" in results["down"]["error"]


def test_alerts_test_without_sinks_says_so(tmp_path, capsys):
    assert main(["alerts", "test", "--policy", write_policy(tmp_path, "    {}\n")]) == 1
    assert "no sinks configured" in capsys.readouterr().err


def test_list_ack_and_resolve(tmp_path, capsys):
    store = SqliteAlertStore(StateDB.for_data_dir(tmp_path))
    alert = secret_alert()
    store.record_alert(alert)
    assert main(["alerts", "list", "--data-dir", str(tmp_path)]) == 0
    line = capsys.readouterr().out
    assert "HIGH" in line and "user=alice" in line and "[open]" in line
    assert main(["alerts", "ack", alert.id[:8], "--by", "sam", "--data-dir", str(tmp_path)]) == 0
    assert main(
        ["alerts", "resolve", alert.id, "--by", "kim", "--note", "rotated",
         "--data-dir", str(tmp_path)]
    ) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["alerts", "list", "--data-dir", str(tmp_path), "--state", "open"]) == 0
    assert "no alerts in state open" in capsys.readouterr().out
    assert main(["alerts", "list", "--data-dir", str(tmp_path), "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["state"] == "resolved" and listed["state_by"] == "kim"
    assert listed["state_note"] == "rotated"
    assert [h["who"] for h in store.get(alert.id).history] == ["sam", "kim"]


def test_list_without_a_store_says_where_it_looked(tmp_path, capsys):
    assert main(["alerts", "list", "--data-dir", str(tmp_path / "nowhere")]) != 0
    assert "no alert store here" in capsys.readouterr().err
