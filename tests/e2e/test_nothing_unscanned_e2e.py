"""Nothing leaves unscanned: every path a key took past the first release, tried again through
the real `warden run` with the shipped default policy (mask secrets, placeholders for personal
data). Each test asserts on what the mock provider received (no raw key in the body, query,
headers or WebSocket frames) and that the request has an audit event."""

from __future__ import annotations

import base64
import io
import json
import secrets
import socket
import ssl
import zipfile

import anthropic
import openai
import pytest
from websockets.sync.client import connect as websocket_connect

from tests.dlp.fake_keys import FakeKeys
from tests.e2e.conftest import REPO, StartWarden, Warden
from tests.schemas.sample_files import png_with_text
from tests.support import MockProviders
from tests.support.mock_app import FRAME_HEADER, WEBSOCKET_METHOD

pytestmark = pytest.mark.e2e

KEYS = FakeKeys(2026)
KEY = KEYS.openai()
PEM = KEYS.private_key()

# The shipped default policy, plus an alert rule for the evasion signal.
POLICY = (
    (REPO / "policies" / "default.yaml").read_text()
    + """
alerts:
  rules:
    - {id: evasion, when: {detectors: [evasion]}}
"""
)


@pytest.fixture(scope="module")
def shared_warden(start_shared_warden: StartWarden) -> Warden:
    """One Warden for the module's tests (the `warden` fixture hands it to each)."""
    return start_shared_warden(policy=POLICY)


def _received(mock: MockProviders, host: str = "api.openai.com") -> list:
    return [r for r in mock.requests() if r.host == host]


def _assert_no_raw(mock: MockProviders, *values: str) -> None:
    for request in mock.requests():
        wire = [request.path, request.query, request.body.decode("latin-1")]
        wire += [f"{k}: {v}" for k, v in request.header_items]
        for value in values:
            assert not any(value in part for part in wire), f"raw value reached {request.path}"


def _request_events(warden: Warden, **wait: object) -> list[dict]:
    return [e for e in warden.events(**wait) if e.get("type") == "request"]  # type: ignore[arg-type]


def _event_id(reply: bytes) -> str:
    """The x-warden-event-id of a raw HTTP/1.1 answer."""
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    [value] = [
        v
        for k, v in (h.split(":", 1) for h in head.split("\r\n")[1:])
        if k.lower() == "x-warden-event-id"
    ]
    return value.strip()


def _raw_https(
    warden: Warden, *, connect: str, sni: str, host: str, path: str, body: bytes
) -> tuple[int, bytes]:
    """A request the way `curl --connect-to` sends it: CONNECT to one name, SNI and Host
    another."""
    sock = socket.create_connection(("127.0.0.1", warden.port), timeout=20)
    sock.sendall(f"CONNECT {connect}:443 HTTP/1.1\r\nHost: {connect}:443\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    tls = ssl.create_default_context(cafile=str(warden.ca)).wrap_socket(sock, server_hostname=sni)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer sk-test\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    tls.sendall(head.encode() + body)
    reply = b""
    while chunk := tls.recv(65536):
        reply += chunk
    tls.close()
    return int(reply.split(b" ", 2)[1]), reply


CHAT = json.dumps(
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"deploy with {KEY}"}]}
).encode()


@pytest.mark.parametrize("connect", ["mock-ip", "www.example.org"])
def test_a_flow_named_ai_only_by_sni_and_host_is_inspected(warden: Warden, mock, connect):
    """Row 1: CONNECT to an address or another site, SNI and Host api.openai.com."""
    target = mock.ip if connect == "mock-ip" else connect
    status, reply = _raw_https(
        warden,
        connect=target,
        sni="api.openai.com",
        host="api.openai.com",
        path="/v1/chat/completions",
        body=CHAT,
    )
    assert status == 200
    [upstream] = _received(mock)
    assert "[REDACTED:OPENAI_API_KEY]" in upstream.body.decode()
    _assert_no_raw(mock, KEY)
    [event] = _request_events(warden, ids=[_event_id(reply)])
    assert event["app"] == "openai" and event["finding_count"] == 1
    assert event["alert_ids"], "names that disagree raise the evasion signal"


def test_files_are_read_by_content_not_declared_type(warden: Warden, mock):
    """Row 2: .env, config.yaml as octet-stream, a PGP-typed key, a PEM chain; plus a ZIP."""
    client = warden.openai()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("infra/.env", f"OPENAI_API_KEY={KEY}\n")
    uploads = [
        (".env", f"OPENAI_API_KEY={KEY}\nDEBUG=1\n".encode(), "application/octet-stream"),
        ("config.yaml", f"openai:\n  key: {KEY}\n".encode(), "application/octet-stream"),
        ("server.key", PEM.encode(), "application/pgp-keys"),
        ("deploy.pem", PEM.encode(), "application/pem-certificate-chain"),
    ]
    for name, data, kind in uploads:
        client.files.create(file=(name, data, kind), purpose="assistants")
    assert len(_received(mock)) == 4
    _assert_no_raw(mock, KEY, PEM.splitlines()[1])
    # Text inside a document cannot be masked in place: a rule that redacts refuses it instead.
    with pytest.raises(openai.PermissionDeniedError, match="OPENAI_API_KEY"):
        client.files.create(
            file=("infra.zip", archive.getvalue(), "application/zip"), purpose="assistants"
        )
    assert len(_received(mock)) == 4
    events = _request_events(warden)
    assert len(events) == 5
    assert events[-1]["blocked"] and events[-1]["rejected"]


def test_a_file_warden_cannot_read_is_refused_with_its_name(warden: Warden, mock):
    """Item 4: neither media nor readable: 415 that names the file (dlp.unreadable: block)."""
    junk = bytes(range(256)) * 64
    with pytest.raises(openai.APIStatusError) as refused:
        warden.openai().files.create(
            file=("weights.bin", junk, "application/octet-stream"), purpose="assistants"
        )
    assert refused.value.status_code == 415
    assert "weights.bin" in str(refused.value)
    assert _received(mock) == []
    [event] = _request_events(warden)
    assert event["blocked"] and event["status"] == 415


def test_a_multipart_field_that_is_not_utf8_is_still_scanned(warden: Warden, mock):
    """Row 3: one Latin-1 byte in the `prompt` field of /v1/images/edits."""
    boundary = "warden-e2e"
    prompt = f"caf\xe9 {KEY}".encode("latin-1")
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n'.encode()
        + prompt
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="image"; '
        f'filename="a.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
        + png
        + f"\r\n--{boundary}--\r\n".encode()
    )
    with warden.client() as client:
        reply = client.post(
            "https://api.openai.com/v1/images/edits",
            content=body,
            headers={
                "content-type": f"multipart/form-data; boundary={boundary}",
                "authorization": "Bearer sk-test",
            },
        )
    assert reply.status_code == 403
    assert "OPENAI_API_KEY" in reply.json()["error"]["message"]
    assert _received(mock) == []
    assert len(_request_events(warden)) == 1


def test_every_field_and_key_of_the_body_is_scanned(warden: Warden, mock):
    """Row 4: tool descriptions, prediction, prompt variables, name, user, model, a metadata
    key, Anthropic tool descriptions and document context, a generic body's id."""
    client = warden.openai()
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "hi", "name": KEY}],
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "deploy",
                    "description": f"deploys with {KEY}",
                    "parameters": {"type": "object", "properties": {}},
                },
            }
        ],
        prediction={"type": "content", "content": KEY},
        user=KEY,
        metadata={KEY: "note"},
    )
    client.chat.completions.create(model=KEY, messages=[{"role": "user", "content": "hi"}])
    client.responses.create(
        model="gpt-4o-mini", input="hi", prompt={"id": "pmpt_abc123", "variables": {"k": KEY}}
    )
    warden.anthropic().messages.create(
        model="claude-haiku-4-5",
        max_tokens=50,
        tools=[
            {"name": "deploy", "description": f"uses {KEY}", "input_schema": {"type": "object"}}
        ],
        messages=[
            {
                "role": "user",
                "content": [
                    {
                        "type": "document",
                        "source": {"type": "text", "media_type": "text/plain", "data": "notes"},
                        "context": f"context {KEY}",
                    },
                    {"type": "text", "text": "summarise"},
                ],
            }
        ],
    )
    with warden.client() as http:
        http.post(
            "https://api.openai.com/v1/threads/runs",
            json={"id": KEY, "assistant_id": "asst_abc123"},
            headers={"authorization": "Bearer sk-test"},
        )
    assert len(mock.requests()) == 5
    _assert_no_raw(mock, KEY)
    events = _request_events(warden)
    assert len(events) == 5
    stored = json.dumps(events, default=str)
    assert KEY not in stored and KEY[:12] not in stored  # the model column included


def test_query_values_are_redacted_and_headers_refused(warden: Warden, mock):
    """Row 5: ?api_key=<key> is masked and recorded masked; a header with a key is refused."""
    with warden.client() as http:
        ok = http.post(
            f"https://api.openai.com/v1/chat/completions?api_key={KEY}&trace=7",
            content=json.dumps(
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
            ),
            headers={"authorization": "Bearer sk-test", "content-type": "application/json"},
        )
        refused = http.post(
            "https://api.openai.com/v1/chat/completions",
            content=json.dumps(
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
            ),
            headers={
                "authorization": "Bearer sk-test",
                "content-type": "application/json",
                "x-debug-note": f"key {KEY}",
            },
        )
    assert ok.status_code == 200
    [upstream] = _received(mock)
    assert "trace=7" in upstream.query and "REDACTED" in upstream.query
    assert refused.status_code == 403 and "x-debug-note" in refused.json()["error"]["message"]
    _assert_no_raw(mock, KEY)
    first, second = _request_events(warden)
    assert "api_key=" in first["path"] and "trace=7" in first["path"]
    assert KEY not in first["path"]
    assert second["blocked"]


def test_binary_websocket_frames_are_scanned(warden: Warden, mock):
    """Row 6: OpenAI Realtime, `conversation.item.create` sent as a binary frame."""
    context = ssl.create_default_context(cafile=str(warden.ca))
    event = {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": f"deploy with {KEY}"}
        ]},
    }  # fmt: skip
    with websocket_connect(
        "wss://api.openai.com/v1/realtime?model=gpt-4o-realtime-preview",
        proxy=warden.url,
        ssl=context,
        additional_headers={"Authorization": "Bearer sk-test"},
        open_timeout=20,
    ) as ws:
        assert ws.response is not None
        handshake = ws.response.headers["x-warden-event-id"]
        ws.send(json.dumps(event).encode())  # bytes: a binary frame
        assert json.loads(ws.recv(timeout=10))["type"] == "mock.received"
        ws.send(bytes(range(256)) * 8)  # neither text nor media: dropped, client told
        assert json.loads(ws.recv(timeout=10))["error"]["code"] == "unreadable_content"
    frames = [r for r in mock.requests() if r.method == WEBSOCKET_METHOD]
    assert [f.headers[FRAME_HEADER] for f in frames] == ["binary"]
    assert "[REDACTED:OPENAI_API_KEY]" in frames[0].body.decode()
    _assert_no_raw(mock, KEY)
    # The handshake's event, and one event for each of the two messages DLP acted on.
    events = _request_events(
        warden,
        ids=[handshake],
        until=lambda events: sum(e["method"] == "WEBSOCKET" for e in events) >= 2,
    )
    assert any(e["path"].startswith("/v1/realtime") for e in events)
    # Each message DLP acted on has its own record: the redacted one, the dropped one.
    messages = [e for e in events if e["method"] == "WEBSOCKET"]
    assert [m["finding_types"] for m in messages] == [["OPENAI_API_KEY"], []]
    assert messages[1]["blocked"] and messages[1]["status"] is None


def test_a_lone_surrogate_is_refused_before_any_stage(warden: Warden, mock):
    """Item 7: undecodable JSON escapes get 400, not a 503 from a stage that chokes on them."""
    body = b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "a\\ud800 key"}]}'
    with warden.client() as http:
        reply = http.post(
            "https://api.openai.com/v1/chat/completions",
            content=body,
            headers={"authorization": "Bearer sk-test", "content-type": "application/json"},
        )
    assert reply.status_code == 400 and "surrogate" in reply.json()["error"]["message"]
    assert _received(mock) == []
    [event] = _request_events(warden)
    assert event["status"] == 400


def test_a_base64_document_inside_json_is_read(warden: Warden, mock):
    """Item 4 for JSON: a base64 text file as an Anthropic document is read and refused."""
    data = base64.b64encode(f"OPENAI_API_KEY={KEY}\n".encode() * 3).decode()
    with pytest.raises(anthropic.PermissionDeniedError, match="OPENAI_API_KEY"):
        warden.anthropic().messages.create(
            model="claude-haiku-4-5",
            max_tokens=50,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "document",
                            "source": {"type": "base64", "media_type": "text/plain", "data": data},
                        },
                        {"type": "text", "text": "summarise"},
                    ],
                }
            ],
        )
    assert _received(mock, "api.anthropic.com") == []


def _form(preamble: bytes, parts: list[tuple[str, bytes]], boundary: str = "wb") -> bytes:
    body = preamble
    for head, data in parts:
        body += f"--{boundary}\r\n{head}\r\n\r\n".encode() + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


GITHUB = KEYS.github()
AWS = KEYS.aws_access_key_id()
# What the attack review (an outside tester with the README and a mock provider) got through
# before; each must now be caught: refused, or redacted on its way out.
ATTACKS = {
    "a key glued to a letter": dict(
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"x{KEY}"}]}
    ),
    "a key in a PNG text chunk": dict(
        url="https://api.openai.com/v1/files",
        content=_form(
            b"",
            [
                ('Content-Disposition: form-data; name="purpose"', b"assistants"),
                (
                    'Content-Disposition: form-data; name="file"; filename="a.png"\r\n'
                    "Content-Type: image/png",
                    png_with_text(f"key {KEY}"),
                ),
            ],
        ),
        headers={"content-type": "multipart/form-data; boundary=wb"},
    ),
    "a key in a multipart preamble": dict(
        url="https://api.openai.com/v1/files",
        content=_form(
            f"key {KEY}\r\n".encode(),
            [('Content-Disposition: form-data; name="purpose"', b"assistants")],
        ),
        headers={"content-type": "multipart/form-data; boundary=wb"},
    ),
    "a key in a part header": dict(
        url="https://api.openai.com/v1/files",
        content=_form(
            b"",
            [(f'Content-Disposition: form-data; name="purpose"\r\nX-Note: {KEY}', b"x")],
        ),
        headers={"content-type": "multipart/form-data; boundary=wb"},
    ),
    "UTF-8 text declared cp500": dict(
        url="https://api.openai.com/v1/files",
        content=f"key {KEY}".encode(),
        headers={"content-type": "text/plain; charset=cp500"},
    ),
    "a key as a header name": dict(
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        headers={GITHUB: "1"},
    ),
    "another service's key as the credential": dict(
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        headers={"authorization": f"Bearer {GITHUB}"},
    ),
    "a key in redacted_thinking": dict(
        url="https://api.anthropic.com/v1/messages",
        json={
            "model": "claude-haiku-4-5",
            "max_tokens": 10,
            "messages": [
                {"role": "assistant", "content": [{"type": "redacted_thinking", "data": KEY}]},
                {"role": "user", "content": "hi"},
            ],
        },
    ),
    "a key after %20 in a form body": dict(
        url="https://chatgpt.com/backend-api/x",
        content=f"a=key%20{KEY}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    # Second review:
    "an AWS key behind an id prefix": dict(
        json={
            "model": "gpt-4o-mini",
            "messages": [{"role": "tool", "tool_call_id": f"call_{AWS}", "content": "ok"}],
        }
    ),
    "a key in a text file behind a UTF-16 BOM": dict(
        url="https://api.openai.com/v1/files",
        content=_form(
            b"",
            [
                ('Content-Disposition: form-data; name="purpose"', b"assistants"),
                (
                    'Content-Disposition: form-data; name="file"; filename="k.txt"',
                    b"\xff\xfe" + f"key={KEY}\n".encode(),
                ),
            ],
        ),
        headers={"content-type": "multipart/form-data; boundary=wb"},
    ),
    "a %FF beside a key in a form body (the event was lost)": dict(
        url="https://chatgpt.com/backend-api/x",
        content=f"prompt=hi%FF&k={KEY}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_what_the_attack_review_got_through_is_caught(warden: Warden, mock, attack: str):
    shape = dict(ATTACKS[attack])
    url = shape.pop("url", "https://api.openai.com/v1/chat/completions")
    headers = {"authorization": "Bearer sk-test", **shape.pop("headers", {})}
    with warden.client() as http:
        reply = http.post(url, headers=headers, **shape)
    assert reply.status_code in (200, 403, 404), reply.text  # 404: the mock has no such route
    _assert_no_raw(mock, KEY, GITHUB, AWS)
    [event] = _request_events(warden)
    assert event["finding_count"] >= 1, attack


def test_a_providers_own_key_in_its_query_passes_and_is_not_recorded(warden: Warden, mock):
    google = KEYS.google()
    while not google.startswith("AIza"):
        google = KEYS.google()
    with warden.client() as http:
        reply = http.post(
            f"https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:"
            f"generateContent?key={google}",
            json={"contents": [{"role": "user", "parts": [{"text": "hello"}]}]},
        )
    assert reply.status_code == 200
    [upstream] = _received(mock, "generativelanguage.googleapis.com")
    assert google in upstream.query  # the client's own credential reaches its provider
    [event] = _request_events(warden)
    assert event["path"].endswith("?key=[credential]")
    assert google not in json.dumps(event, default=str)


def _split_key_prompts() -> dict[str, tuple[str, list[str]]]:
    """Code as people paste it with a key split into pieces, and the pieces that must not
    leave (each long enough to be recognisable)."""
    anthropic, github = KEYS.anthropic(), KEYS.github()
    a = [anthropic[:54], anthropic[54:]]
    g = [github[:20], github[20:]]
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    return {
        "implicit concatenation with comments": (
            f'client = anthropic.Anthropic(\n    api_key=("{a[0]}"  # part 1\n'
            f'             "{a[1]}"),  # part 2\n)',
            a,
        ),
        "a joined list": (f'TOKEN = "".join(["{g[0]}", "{g[1]}"])', g),
        "a Twilio token as black formats the call": (
            f"client = Client(\n    '{sid}',\n    '{token}',\n)",
            [token],
        ),
    }


@pytest.mark.parametrize("form", list(_split_key_prompts()))
def test_no_piece_of_a_split_key_reaches_the_provider(warden: Warden, mock, form: str):
    prompt, pieces = _split_key_prompts()[form]
    with warden.client() as http:
        reply = http.post(
            "https://api.openai.com/v1/chat/completions",
            headers={"authorization": "Bearer sk-test"},
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]},
        )
    assert reply.status_code == 200, reply.text
    [upstream] = _received(mock)
    assert "client" in upstream.body.decode() or "TOKEN" in upstream.body.decode()
    _assert_no_raw(mock, *pieces)
