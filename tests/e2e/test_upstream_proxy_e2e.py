"""Warden behind a company's existing egress proxy (`--set mode=upstream:URL`): AI requests are
still decrypted, checked and recorded, and everything leaves through the upstream proxy."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx2
import openai
import pytest

from tests.e2e.conftest import StartWarden
from tests.support import MockProviders, ProxyProcess, TestPKI, free_port, netns_command

pytestmark = pytest.mark.e2e

MITMDUMP = Path(sys.executable).with_name("mitmdump")


@pytest.fixture
def egress_proxy(tmp_path: Path, hosts_file: Path):  # type: ignore[no-untyped-def]
    """The company's proxy: a plain CONNECT relay (mitmdump told to decrypt nothing)."""
    port = free_port()
    cmd = [str(MITMDUMP), "--mode", "regular", "--listen-host", "127.0.0.1"]
    cmd += ["--listen-port", str(port), "--ignore-hosts", ".*", "--set", f"confdir={tmp_path}"]
    process = ProxyProcess(
        netns_command(cmd, hosts_file),
        port,
        log_path=tmp_path / "egress.log",
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    with process:
        yield process


def test_ai_requests_go_out_through_the_company_proxy_checked_and_recorded(
    start_warden: StartWarden, mock: MockProviders, pki: TestPKI, egress_proxy: ProxyProcess
):
    warden = start_warden(extra_args=["--set", f"mode=upstream:{egress_proxy.url}"])
    mock.clear()
    key = "sk-test-" + "u" * 40
    client = openai.OpenAI(api_key=key, http_client=warden.client(), max_retries=0)
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "via the egress proxy"}]
    )
    assert reply.choices[0].message.content == "echo: via the egress proxy"
    with pytest.raises(openai.PermissionDeniedError, match="GPT-5 models are not approved"):
        client.chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "x"}])
    # A host that is not AI is tunnelled, also through the company proxy.
    with httpx2.Client(proxy=warden.url, verify=str(pki.ca_cert), trust_env=False) as plain:
        assert plain.get("https://www.example.org/").text.startswith("hello from")
    assert len(mock.requests_to("api.openai.com")) == 1  # the blocked one never left
    [event, blocked] = sorted(
        (e for e in warden.events() if e["type"] == "request"), key=lambda e: e["time"]
    )
    assert (event["action"], blocked["action"]) == ("monitor", "block")
    egress_log = egress_proxy.log_text()
    assert "server connect api.openai.com:443" in egress_log
    assert "server connect www.example.org:443" in egress_log
