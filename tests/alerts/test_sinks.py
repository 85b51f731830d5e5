"""Each sink against a real local receiver: content, signature, framing, TLS and AUTH, and
the raw value of a seeded fake key appearing nowhere in what was delivered."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.alerts.factories import FAKE_OPENAI_KEY, secret_alert
from tests.alerts.receivers import SmtpServer, SyslogListener, WebhookReceiver
from tests.support.eventually import eventually
from warden.alerts.config import (
    EmailSinkConfig,
    SlackSinkConfig,
    SyslogSinkConfig,
    WebhookSinkConfig,
)
from warden.alerts.sinks import DeliveryError, Notice
from warden.alerts.sinks.mail import EmailSink
from warden.alerts.sinks.slack import SlackSink
from warden.alerts.sinks.syslog import SyslogSink
from warden.alerts.sinks.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookSink,
    sign,
    verify_signature,
)
from warden.dlp.fingerprint import preview

HMAC_KEY = "whsec-test-key-0123456789"
MASKED = preview(FAKE_OPENAI_KEY)


def notice(kind: str = "alert") -> Notice:
    return Notice(kind, secret_alert().to_dict())


def test_alert_record_holds_the_masked_preview_and_not_the_key():
    """The alert itself (what every sink renders) carries DLP's preview only."""
    record = json.dumps(secret_alert().to_dict())
    assert MASKED in record
    assert FAKE_OPENAI_KEY not in record
    assert FAKE_OPENAI_KEY[8:24] not in record, "no long fragment of the key either"


def test_webhook_is_signed_and_the_receiver_can_verify_it(webhook, monkeypatch):
    monkeypatch.setenv("WARDEN_TEST_HMAC", HMAC_KEY)
    sink = WebhookSink(
        "soc", WebhookSinkConfig(type="webhook", url=webhook.url, secret_env="WARDEN_TEST_HMAC")
    )
    sink.send(notice())
    [request] = webhook.requests
    timestamp = request.headers[TIMESTAMP_HEADER]
    signature = request.headers[SIGNATURE_HEADER]
    assert signature.startswith("sha256=")
    assert verify_signature(HMAC_KEY.encode(), timestamp, request.body, signature)
    assert not verify_signature(b"wrong key", timestamp, request.body, signature)
    tampered = request.body.replace(b"alice", b"mallory")
    assert not verify_signature(HMAC_KEY.encode(), timestamp, tampered, signature)
    body = request.json()
    assert body["kind"] == "alert" and body["detector"] == "secret"
    assert body["user"] == "alice" and body["severity"] == "high"
    assert body["evidence"][0]["preview"] == MASKED
    assert FAKE_OPENAI_KEY.encode() not in request.body


def test_signature_from_long_ago_is_rejected_as_a_replay():
    body = b'{"id":"a"}'
    old = str(int(time.time()) - 3600)
    assert not verify_signature(b"k", old, body, sign(b"k", old, body))
    now = str(int(time.time()))
    assert verify_signature(b"k", now, body, sign(b"k", now, body))


def test_webhook_without_its_secret_in_the_environment_fails_for_good(webhook, monkeypatch):
    monkeypatch.delenv("WARDEN_TEST_HMAC", raising=False)
    sink = WebhookSink(
        "soc", WebhookSinkConfig(type="webhook", url=webhook.url, secret_env="WARDEN_TEST_HMAC")
    )
    with pytest.raises(DeliveryError) as raised:
        sink.send(notice())
    assert raised.value.permanent
    assert "WARDEN_TEST_HMAC" in str(raised.value)
    assert webhook.requests == []


def test_webhook_4xx_is_permanent_and_5xx_is_retried():
    with WebhookReceiver(status=400) as refusing, WebhookReceiver(status=503) as busy:
        for receiver, permanent in ((refusing, True), (busy, False)):
            sink = WebhookSink("x", WebhookSinkConfig(type="webhook", url=receiver.url))
            with pytest.raises(DeliveryError) as raised:
                sink.send(notice())
            assert raised.value.permanent is permanent


def test_slack_message_has_text_and_blocks_with_the_masked_preview(slack):
    SlackSink("chat", SlackSinkConfig(type="slack", webhook_url=slack.url)).send(notice())
    [request] = slack.requests
    message = request.json()
    assert message["text"].startswith("[HIGH] Credential sent to an AI service")
    assert message["blocks"][0]["type"] == "header"
    fields = [f["text"] for block in message["blocks"][1:-1] for f in block["fields"]]
    assert any(MASKED in f for f in fields)
    assert FAKE_OPENAI_KEY.encode() not in request.body


def test_slack_url_from_the_environment_never_appears_in_errors(monkeypatch):
    monkeypatch.setenv("WARDEN_TEST_SLACK", "http://127.0.0.1:9/services/T000/B000/SECRET")
    sink = SlackSink("chat", SlackSinkConfig(type="slack", webhook_url_env="WARDEN_TEST_SLACK"))
    with pytest.raises(DeliveryError) as raised:
        sink.send(notice())
    assert "SECRET" not in str(raised.value)


def test_email_uses_starttls_and_auth_and_carries_the_alert(smtp: SmtpServer, monkeypatch):
    monkeypatch.setenv("WARDEN_TEST_SMTP_PW", smtp.password)
    before = len(smtp.messages)
    config = EmailSinkConfig.model_validate(
        {
            "type": "email",
            "host": "127.0.0.1",
            "port": smtp.port,
            "username": smtp.user,
            "password_env": "WARDEN_TEST_SMTP_PW",
            "from": "warden@example.com",
            "to": ["soc@example.com"],
            "ca_file": str(smtp.pki.ca_cert),
        }
    )
    EmailSink("mail", config).send(notice())
    [mail] = smtp.messages[before:]
    assert mail.tls, "the message went over the STARTTLS-upgraded connection"
    assert mail.login == smtp.user
    assert mail.rcpt_tos == ["soc@example.com"]
    text = mail.data.decode()
    assert "Subject: [Warden] [HIGH] Credential sent to an AI service" in text
    assert MASKED in text
    assert FAKE_OPENAI_KEY not in text


def test_email_with_a_wrong_password_fails_for_good(smtp: SmtpServer, monkeypatch):
    monkeypatch.setenv("WARDEN_TEST_SMTP_PW", "wrong")
    config = EmailSinkConfig.model_validate(
        {
            "type": "email",
            "host": "127.0.0.1",
            "port": smtp.port,
            "username": smtp.user,
            "password_env": "WARDEN_TEST_SMTP_PW",
            "from": "warden@example.com",
            "to": ["soc@example.com"],
            "ca_file": str(smtp.pki.ca_cert),
        }
    )
    with pytest.raises(DeliveryError) as raised:
        EmailSink("mail", config).send(notice())
    assert raised.value.permanent
    assert "wrong" not in str(raised.value)


def test_email_refuses_a_server_certificate_it_does_not_trust(smtp: SmtpServer):
    config = EmailSinkConfig.model_validate(
        {"type": "email", "host": "127.0.0.1", "port": smtp.port, "from": "w@example.com",
         "to": ["soc@example.com"]}
    )  # fmt: skip
    with pytest.raises(DeliveryError) as raised:
        EmailSink("mail", config).send(notice())
    assert "certificate" in str(raised.value)


_RFC5424 = re.compile(
    rb"^<(\d+)>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) warden (\d+) alert - (.*)$", re.S
)


def test_syslog_udp_sends_rfc5424_with_cef(syslog_udp: SyslogListener):
    config = SyslogSinkConfig(
        type="syslog", host="127.0.0.1", port=syslog_udp.port, facility="local4"
    )
    SyslogSink("siem", config).send(notice())
    eventually(lambda: len(syslog_udp.messages) == 1)
    match = _RFC5424.match(syslog_udp.messages[0])
    assert match, syslog_udp.messages[0][:120]
    assert int(match.group(1)) == 20 * 8 + 3  # local4, high -> err
    cef = match.group(5).decode()
    assert cef.startswith("CEF:0|Egress Warden|Warden|1|secret|Credential sent to an AI service")
    assert "|8|" in cef  # CEF severity for high
    assert "suser=alice" in cef and "cnt=1" in cef and "src=10.1.2.3" in cef
    assert MASKED in cef
    assert FAKE_OPENAI_KEY not in cef


def test_syslog_tcp_frames_json_by_octet_count(syslog_tcp: SyslogListener):
    config = SyslogSinkConfig(
        type="syslog", host="127.0.0.1", port=syslog_tcp.port, protocol="tcp", format="json"
    )
    sink = SyslogSink("siem", config)
    sink.send(notice())
    sink.send(notice("summary"))
    eventually(lambda: len(syslog_tcp.messages) == 2)
    # One connection per message: they may arrive in either order.
    [alert_message] = [m for m in syslog_tcp.messages if b" alert - " in m]
    first = _RFC5424.match(alert_message)
    assert first
    document = json.loads(first.group(5))
    assert document["evidence"][0]["preview"] == MASKED
    assert any(b" summary - " in m for m in syslog_tcp.messages)
    assert all(FAKE_OPENAI_KEY.encode() not in m for m in syslog_tcp.messages)


def test_cef_escapes_separators_in_values():
    from warden.alerts.sinks.cef import cef_message

    alert = secret_alert().to_dict()
    alert["title"] = "a|b"
    alert["user"] = "x=y\\z"
    text = cef_message(Notice("alert", alert))
    assert "|a\\|b|" in text
    assert "suser=x\\=y\\\\z" in text
