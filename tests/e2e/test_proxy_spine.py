"""The proxy spine through real processes: SDK clients, interception, tunnels, blocks, auth."""

from __future__ import annotations

import base64
import gzip
import json
import ssl
import time

import anthropic
import httpx2
import openai
import pytest

from tests.e2e.conftest import StartWarden, Warden, tunnelled_chatgpt_catalog
from tests.e2e.tls_probe import connect_and_handshake
from tests.support import DELAY_HEADER, MockProviders, TestPKI
from warden.identity import hash_password

pytestmark = pytest.mark.e2e

FAKE_OPENAI_KEY = "sk-test-" + "a" * 40
FAKE_ANTHROPIC_KEY = "sk-ant-api03-" + "b" * 40


def _openai(warden: Warden, **client: str) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=FAKE_OPENAI_KEY, http_client=warden.client(**client), max_retries=0
    )


def _anthropic(warden: Warden) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=FAKE_ANTHROPIC_KEY, http_client=warden.client(), max_retries=0
    )


def _requests(warden: Warden, **wait: int) -> list[dict]:
    """The request events in the store, once it holds the event of every answer received."""
    return [e for e in warden.events(**wait) if e["type"] == "request"]


def test_openai_chat_goes_through_and_is_recorded(warden: Warden, mock: MockProviders):
    raw = _openai(warden).chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hello there warden"}]
    )
    assert raw.parse().choices[0].message.content == "echo: hello there warden"
    [upstream] = mock.requests_to("api.openai.com")
    assert upstream.json()["messages"][0]["content"] == "hello there warden"
    [event] = _requests(warden)
    # The id a person can quote to the security team is the event's.
    assert raw.headers["x-warden-event-id"] == event["id"]
    assert event["app"] == "openai"
    assert event["model"] == "gpt-4o-mini"
    assert event["endpoint"] == "chat"
    assert event["status"] == 200
    assert event["decision"]["action"] == "monitor"


def test_openai_stream_arrives_chunk_by_chunk(warden: Warden):
    client = _openai(warden)
    started = time.monotonic()
    arrivals: list[float] = []
    text = ""
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "one two three four five"}],
        stream=True,
        extra_headers={DELAY_HEADER: "300"},
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.monotonic() - started)
            text += chunk.choices[0].delta.content
    assert text.strip() == "echo: one two three four five"
    # Six words 300 ms apart: a buffering proxy would deliver them all at the very end.
    assert arrivals[0] < arrivals[-1] - 1.0, arrivals
    [event] = _requests(warden)
    assert stream.response.headers["x-warden-event-id"] == event["id"]
    assert event["stream"] is True


def test_anthropic_messages_plain_and_streamed(warden: Warden):
    client = _anthropic(warden)
    message = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=100,
        messages=[{"role": "user", "content": "ping from the sdk"}],
    )
    assert message.content[0].text == "echo: ping from the sdk"
    with client.messages.stream(
        model="claude-sonnet-4-5",
        max_tokens=100,
        messages=[{"role": "user", "content": "stream me"}],
    ) as stream:
        streamed = "".join(stream.text_stream)
    assert streamed.strip() == "echo: stream me"


def test_gemini_generate_content_through_the_proxy(warden: Warden):
    with warden.client() as client:
        response = client.post(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            json={"contents": [{"role": "user", "parts": [{"text": "hi gemini"}]}]},
            headers={"x-goog-api-key": "AIza" + "c" * 35},
        )
    assert response.status_code == 200
    [event] = _requests(warden)
    assert (event["app"], event["model"]) == ("gemini-api", "gemini-2.5-flash")


def test_blocked_model_raises_permission_denied_with_the_reason(
    warden: Warden, mock: MockProviders
):
    with pytest.raises(openai.PermissionDeniedError) as raised:
        _openai(warden).chat.completions.create(
            model="gpt-5", messages=[{"role": "user", "content": "hello"}]
        )
    assert "GPT-5 models are not approved for company data" in str(raised.value)
    with pytest.raises(anthropic.PermissionDeniedError) as raised_a:
        _anthropic(warden).messages.create(
            model="claude-opus-4-1", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    assert "reserved for the research team" in str(raised_a.value)
    assert mock.requests() == [], "a blocked request must never reach the provider"
    events = _requests(warden)
    assert {e["decision"]["rule_id"] for e in events} == {"no-gpt5", "no-claude-opus"}
    assert all(e["status"] == 403 for e in events)
    # Each block names the event that records it.
    by_id = {e["id"]: e["decision"]["rule_id"] for e in events}
    assert by_id == {
        raised.value.response.headers["x-warden-event-id"]: "no-gpt5",
        raised_a.value.response.headers["x-warden-event-id"]: "no-claude-opus",
    }


def test_browser_gets_a_block_page(warden: Warden):
    with warden.client() as client:
        response = client.post(
            "https://api.openai.com/v1/chat/completions",
            json={"model": "gpt-5", "messages": [{"role": "user", "content": "x"}]},
            headers={"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "document"},
        )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "not approved for company data" in response.text


def test_ai_host_is_intercepted_other_hosts_are_opaque_tunnels(warden: Warden, pki: TestPKI):
    # An AI host: the client sees a certificate forged by Warden's CA.
    ai = connect_and_handshake(warden.port, "api.openai.com", str(warden.ca))
    assert ai.issuer_cn == "Egress Warden CA"
    # Any other host: the origin's own certificate, untouched, from its own CA.
    other = connect_and_handshake(warden.port, "www.example.org", str(pki.ca_cert))
    assert other.issuer_cn == "Warden Test Upstream CA"
    with httpx2.Client(proxy=warden.url, verify=str(pki.ca_cert), trust_env=False) as client:
        assert client.get("https://www.example.org/").text.startswith("hello from")


def test_proxy_auth_required_gives_407_and_credentials_never_go_upstream(
    start_warden: StartWarden, mock: MockProviders, tmp_path
):
    users = tmp_path / "users.htpasswd"
    users.write_text(f"alice:{hash_password('correct horse')}\n")
    warden = start_warden(
        identity=f"""
        version: 1
        sources: [proxy_auth]
        proxy_auth: {{required: true, users_file: {users}}}
        groups: {{research: [alice]}}
        """
    )
    mock.clear()
    denied = connect_and_handshake(warden.port, "api.openai.com", str(warden.ca))
    assert " 407 " in denied.status_line
    assert "Proxy-Authenticate: Basic" in denied.headers
    wrong = "Basic " + base64.b64encode(b"alice:wrong").decode()
    assert (
        " 407 "
        in connect_and_handshake(
            warden.port, "api.openai.com", str(warden.ca), proxy_auth=wrong
        ).status_line
    )

    reply = _openai(warden, user="alice", password="correct horse").chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "authenticated"}]
    )
    assert reply.choices[0].message.content == "echo: authenticated"
    [upstream] = mock.requests_to("api.openai.com")
    assert "proxy-authorization" not in upstream.headers
    [event] = _requests(warden)
    assert (event["user"], event["groups"]) == ("alice", ["research"])


def test_pac_file_and_ca_are_served_by_the_running_proxy(warden: Warden):
    with httpx2.Client(trust_env=False) as client:
        pac = client.get(f"{warden.url}/proxy.pac")
        ca = client.get(f"{warden.url}/ca.pem")
    assert pac.headers["content-type"] == "application/x-ns-proxy-autoconfig"
    assert "function FindProxyForURL" in pac.text
    assert f"PROXY 127.0.0.1:{warden.port}" in pac.text
    assert ssl.PEM_cert_to_DER_cert(ca.text)  # a real certificate
    assert ca.text == warden.ca.read_text()


def _zeros_gzip(size: int) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


BAD_INPUTS = [
    pytest.param(b'{"model": "gpt-4o", "messages": [', {}, 400, "not valid JSON", id="malformed"),
    pytest.param(
        b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "\xff\xfe"}]}',
        {},
        400,
        "UTF-8",
        id="invalid-utf8",
    ),
    pytest.param(
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        {"content-type": "application/octet-stream"},
        None,
        "",
        id="wrong-content-type",
    ),
    pytest.param(
        json.dumps(
            {"model": "gpt-4o", "messages": [{"role": "user", "content": "x" * 300_000}]}
        ).encode(),
        {},
        413,
        "Warden inspects at most",
        id="over-limit",
    ),
    pytest.param(
        _zeros_gzip(50 * 1024 * 1024),
        {"content-encoding": "gzip"},
        413,
        "decompresses to more than",
        id="gzip-bomb",
    ),
]


@pytest.mark.parametrize(("body", "headers", "status", "message"), BAD_INPUTS)
def test_bad_input_gets_a_clear_answer_and_never_reaches_the_provider(
    start_warden: StartWarden, mock: MockProviders, body, headers, status, message
):
    warden = start_warden(extra_args=["--set", "warden_max_body=262144"])
    mock.clear()
    with warden.client() as client:
        response = client.post(
            "https://api.openai.com/v1/chat/completions",
            content=body,
            headers={"content-type": "application/json", **headers},
        )
        assert 400 <= response.status_code < 500, response.text
        if status is not None:
            assert response.status_code == status
        error = response.json()["error"]["message"]
        assert message in error
        assert mock.requests() == []
        # ... and the proxy keeps serving.
        ok = client.post(
            "https://api.openai.com/v1/chat/completions",
            json={"model": "gpt-4o", "messages": [{"role": "user", "content": "still up"}]},
        )
    assert ok.status_code == 200
    assert "refused" in warden.log()  # the operator sees why, at which stage


def test_mismatched_sni_cannot_turn_an_ai_host_into_a_tunnel(warden: Warden):
    """CONNECT to an AI host with another name in the ClientHello is still decrypted."""
    import socket

    sock = socket.create_connection(("127.0.0.1", warden.port), timeout=10)
    with sock:
        sock.sendall(b"CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n")
        assert b" 200" in sock.recv(4096)
        context = ssl.create_default_context(cafile=str(warden.ca))
        context.check_hostname = False
        with context.wrap_socket(sock, server_hostname="www.example.org") as tls:
            # Verified against Warden's CA only: so the certificate is Warden's own.
            assert tls.getpeercert() is not None


def test_catalog_host_not_decrypted_is_still_recorded_as_a_visit(
    start_warden: StartWarden, pki: TestPKI, tmp_path
):
    extra = tunnelled_chatgpt_catalog(tmp_path, "tolerated")
    warden = start_warden(extra_args=["--catalog", str(extra)])
    tunnel = connect_and_handshake(warden.port, "chatgpt.com", str(pki.ca_cert))
    assert tunnel.issuer_cn == "Warden Test Upstream CA"
    events = warden.events(until=lambda events: any(e["type"] == "visit" for e in events))
    visits = [e for e in events if e["type"] == "visit"]
    assert [(v["host"], v["app"], v["decrypted"]) for v in visits] == [
        ("chatgpt.com", "chatgpt-web", False)
    ]


def test_identity_header_from_a_trusted_proxy_names_the_user_and_is_not_forwarded(
    start_warden: StartWarden, mock: MockProviders
):
    warden = start_warden(
        identity="""
        version: 1
        sources: [header, network]
        header: {trusted_sources: [127.0.0.0/8]}
        groups: {finance: [bob]}
        """
    )
    mock.clear()
    proxy = httpx2.Proxy(warden.url, headers={"X-Authenticated-User": "bob"})
    with httpx2.Client(proxy=proxy, verify=str(warden.ca), trust_env=False) as client:
        client_ = openai.OpenAI(api_key=FAKE_OPENAI_KEY, http_client=client, max_retries=0)
        client_.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "from bob"}]
        )
    [upstream] = mock.requests_to("api.openai.com")
    assert "x-authenticated-user" not in upstream.headers
    [event] = _requests(warden, count=1)  # its own client: no answer's id was collected
    assert (event["user"], event["groups"]) == ("bob", ["finance"])
