"""Fixtures for the alert tests: local receivers and a seeded fake credential."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.alerts.receivers import HangingServer, SmtpServer, SyslogListener, WebhookReceiver


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def slack() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    with HangingServer() as server:
        yield server


@pytest.fixture
def syslog_udp() -> Iterator[SyslogListener]:
    with SyslogListener("udp") as listener:
        yield listener


@pytest.fixture
def syslog_tcp() -> Iterator[SyslogListener]:
    with SyslogListener("tcp") as listener:
        yield listener


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    with SmtpServer(tmp_path_factory.mktemp("smtp-pki")) as server:
        yield server


@pytest.fixture
def smtp_ca(smtp: SmtpServer) -> Path:
    return smtp.pki.ca_cert
