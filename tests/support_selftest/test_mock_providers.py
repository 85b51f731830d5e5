"""Proves the e2e harness itself: PKI, mock providers (through the official SDKs), hosts-file
namespaces and process cleanup. No proxy is involved here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import pytest

from tests.support import (
    DEFAULT_HOSTNAMES,
    DELAY_HEADER,
    MockProviders,
    ProxyProcess,
    free_port,
    make_test_pki,
    mount_namespace_skip_reason,
    netns_command,
    write_hosts_file,
)
from tests.support.testca import TestPKI


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return make_test_pki(tmp_path_factory.mktemp("pki"), DEFAULT_HOSTNAMES)


@pytest.fixture(scope="module")
def mock(pki: TestPKI) -> Iterator[MockProviders]:
    # Port 443 needs root; elsewhere the harness still works on a high port.
    port = 443 if os.geteuid() == 0 else 0
    with MockProviders(pki, port=port) as m:
        yield m


@pytest.fixture
def client(mock: MockProviders) -> Iterator[httpx.Client]:
    mock.clear()
    with mock.http_client(timeout=10) as c:
        yield c


@pytest.fixture
def sdk_client(mock: MockProviders) -> Iterator[httpx2.Client]:
    # The openai 3.x / anthropic 2.x SDKs run on httpx2; anthropic refuses an httpx.Client.
    mock.clear()
    with mock.sdk_http_client(timeout=10) as c:
        yield c


def test_mock_binds_private_loopback(mock: MockProviders) -> None:
    assert mock.ip.startswith("127.83.")


def test_netns_resolves_provider_names_to_mock(mock: MockProviders, tmp_path: Path) -> None:
    reason = mount_namespace_skip_reason()
    if reason:
        pytest.skip(reason)
    hosts = write_hosts_file(tmp_path / "hosts", mock.ip, DEFAULT_HOSTNAMES)
    code = "import socket; print(socket.gethostbyname('api.openai.com'))"
    out = subprocess.run(
        netns_command([sys.executable, "-c", code], hosts),
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    assert out.stdout.strip() == mock.ip
    # The test process itself keeps the real /etc/hosts.
    assert mock.ip not in Path("/etc/hosts").read_text()


def test_raw_httpx_with_host_and_sni(mock: MockProviders) -> None:
    mock.clear()
    with httpx.Client(verify=mock.ssl_context(), trust_env=False) as c:
        r = c.post(
            f"https://{mock.ip}:{mock.port}/v1/chat/completions",
            headers={"host": "api.openai.com", "x-custom": "1"},
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi  there"}]},
            extensions={"sni_hostname": "api.openai.com"},
        )
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"] == "echo: hi there"
    [rec] = mock.requests()
    assert (rec.host, rec.method, rec.path) == ("api.openai.com", "POST", "/v1/chat/completions")
    assert rec.headers["x-custom"] == "1"
    assert rec.json()["messages"][0]["content"] == "hi  there"


def test_openai_sdk_chat(mock: MockProviders, sdk_client: httpx2.Client) -> None:
    import openai  # here, not at import: 1-2 s in every test worker

    oa = openai.OpenAI(
        base_url="https://api.openai.com/v1",
        api_key="sk-test",
        http_client=sdk_client,
        max_retries=0,
    )
    messages: list = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello mock world"},
    ]
    done = oa.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert done.choices[0].message.content == "echo: hello mock world"
    assert done.usage is not None
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (5, 4)
    assert done.usage.total_tokens == 9

    stream = oa.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: hello mock world"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 9

    [rec1, rec2] = mock.requests()
    assert rec1.headers["authorization"] == "Bearer sk-test"
    assert rec2.json()["stream"] is True


def test_openai_sdk_other_endpoints(sdk_client: httpx2.Client) -> None:
    import openai  # here, not at import: 1-2 s in every test worker

    oa = openai.OpenAI(
        base_url="https://api.openai.com/v1",
        api_key="sk-test",
        http_client=sdk_client,
        max_retries=0,
    )
    resp = oa.responses.create(model="gpt-4o-mini", input="say something")
    assert resp.output_text == "echo: say something"
    assert resp.usage is not None and resp.usage.input_tokens == 2

    emb = oa.embeddings.create(model="text-embedding-3-small", input=["a", "b c"])
    assert len(emb.data) == 2 and len(emb.data[0].embedding) == 8
    assert emb.usage.prompt_tokens == 3

    assert "gpt-4o-mini" in [m.id for m in oa.models.list()]


def test_streaming_is_paced(mock: MockProviders) -> None:
    # 4 words + finish chunk + [DONE] = 6 events, 5 gaps of 80 ms.
    with mock.http_client(timeout=10) as c:
        start = time.monotonic()
        with c.stream(
            "POST",
            "https://api.openai.com/v1/chat/completions",
            headers={DELAY_HEADER: "80"},
            json={"messages": [{"role": "user", "content": "one two three"}], "stream": True},
        ) as r:
            arrivals = [time.monotonic() - start for _ in r.iter_lines() if _.startswith("data:")]
    assert len(arrivals) == 6
    assert arrivals[0] < 0.3 and arrivals[-1] >= 0.4


def test_anthropic_sdk(mock: MockProviders, sdk_client: httpx2.Client) -> None:
    import anthropic  # here, not at import: 1-2 s in every test worker

    ac = anthropic.Anthropic(
        base_url="https://api.anthropic.com",
        api_key="sk-ant-test",
        http_client=sdk_client,
        max_retries=0,
    )
    msgs: list = [{"role": "user", "content": "hello claude"}]
    msg = ac.messages.create(model="claude-haiku-4-5", max_tokens=50, system="sys", messages=msgs)
    assert msg.content[0].type == "text" and msg.content[0].text == "echo: hello claude"
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (3, 3)

    with ac.messages.stream(model="claude-haiku-4-5", max_tokens=50, messages=msgs) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert final.content[0].type == "text" and final.content[0].text == "echo: hello claude"
    assert final.usage.output_tokens == 3

    # anthropic 2.x sends the key as a bearer token, not x-api-key.
    assert [r.headers["authorization"] for r in mock.requests()] == ["Bearer sk-ant-test"] * 2


def test_gemini_and_chatgpt_streams(client: httpx.Client) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "hi gem"}]}]}
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
    plain = client.post(f"{url}:generateContent", json=body).json()
    assert plain["candidates"][0]["content"]["parts"][0]["text"] == "echo: hi gem"
    assert plain["usageMetadata"]["totalTokenCount"] == 5

    raw = client.post(f"{url}:streamGenerateContent", params={"alt": "sse"}, json=body).text
    events = [json.loads(e[len("data: ") :]) for e in raw.split("\r\n\r\n") if e]
    assert "".join(e["candidates"][0]["content"]["parts"][0]["text"] for e in events) == (
        "echo: hi gem"
    )
    assert events[-1]["usageMetadata"]["candidatesTokenCount"] == 3

    convo = {"messages": [{"author": {"role": "user"}, "content": {"parts": ["yo"]}}]}
    raw = client.post("https://chatgpt.com/backend-api/conversation", json=convo).text
    data = [line[len("data: ") :] for line in raw.splitlines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    assert json.loads(data[-2])["message"]["content"]["parts"] == ["echo: yo"]


def test_other_host_and_forced_status(client: httpx.Client) -> None:
    r = client.get("https://www.example.org/")
    assert (r.status_code, r.text) == (200, "hello from www.example.org")
    r = client.post("https://api.openai.com/v1/chat/completions", headers={"x-mock-status": "429"})
    assert r.status_code == 429


def test_proxy_process_kills_whole_group(tmp_path: Path) -> None:
    port = free_port()
    # A server that also spawns a grandchild: stop() must take both down.
    code = (
        "import subprocess, sys, http.server\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        "print('child', child.pid, flush=True)\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.BaseHTTPRequestHandler)"
        ".serve_forever()\n"
    )
    with ProxyProcess([sys.executable, "-c", code], port, log_path=tmp_path / "p.log") as proc:
        assert proc.returncode is None
    child_pid = int(proc.log_text().split()[1])
    time.sleep(0.1)
    assert not Path(f"/proc/{child_pid}").exists() or "Z" in _proc_state(child_pid)


def test_proxy_process_reports_early_exit(tmp_path: Path) -> None:
    cmd = [sys.executable, "-c", "print('boom'); raise SystemExit(3)"]
    with pytest.raises(RuntimeError, match="boom"):
        ProxyProcess(cmd, free_port(), log_path=tmp_path / "p.log").start()


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except FileNotFoundError:
        return "gone"
