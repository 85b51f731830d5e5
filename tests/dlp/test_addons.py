"""The DLP addons inside mitmproxy: scan before the policy, fail closed or open, redact and
restore, WebSocket messages."""

from __future__ import annotations

import asyncio
import json
import logging
import textwrap
from pathlib import Path
from typing import Any

import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow

from addons.dlp import DlpScanAddon
from addons.dlp_websocket import DlpWebSocketAddon
from addons.exchange import exchange
from addons.redact import RedactAddon
from addons.refuse import refuse
from addons.runtime import RuntimeAddon
from tests.dlp.fake_keys import FakeKeys
from warden.policy import Action, Decision
from warden.refusal import Refusal
from warden.schemas import parse_request

KEY = FakeKeys(61).openai()
EMAIL = "ana.lima@example.com"

REDACT_POLICY = """
version: 1
name: dlp-test
fail_mode: {fail_mode}
dlp: {{timeout_ms: {timeout_ms}}}
rules:
  - id: block-private-keys
    match: {{dlp: {{entities: [PRIVATE_KEY]}}}}
    action: block
    message: Private keys may not be sent to AI services.
  - id: redact
    match: {{dlp: {{entities: [ALL]}}}}
    action: redact
    redact:
      - {{entities: [SECRETS], style: mask}}
      - {{entities: [PII], style: placeholder, reversible: true}}
"""


def _policy(tmp_path: Path, fail_mode: str = "closed", timeout_ms: int = 5000) -> Path:
    path = tmp_path / "policy.yaml"
    text = REDACT_POLICY.format(fail_mode=fail_mode, timeout_ms=timeout_ms)
    path.write_text(textwrap.dedent(text))
    return path


def _flow(runtime: RuntimeAddon, content: str) -> http.HTTPFlow:
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]})
    flow = tflow.tflow()
    flow.request.host = "api.openai.com"
    flow.request.path = "/v1/chat/completions"
    flow.request.method = "POST"
    flow.request.headers["content-type"] = "application/json"
    # As sent compressed: the addon must forward the decoded body as identity.
    flow.request.headers["content-encoding"] = "gzip"
    flow.request.raw_content = b"(gzip bytes)"
    entry = runtime.current().catalog.lookup("api.openai.com")
    exchange(flow).app = entry
    exchange(flow).body = body.encode()
    exchange(flow).request = parse_request(
        "openai", "openai", "POST", "/v1/chat/completions", "application/json", body.encode()
    )
    return flow


class _Proxy:
    """Runtime, DLP scan and redact addons configured with a policy file."""

    def __init__(self, tctx: Any, runtime: RuntimeAddon, tmp_path: Path, policy: Path) -> None:
        tctx.configure(runtime, warden_policy=str(policy), warden_data_dir=str(tmp_path / "data"))
        self.runtime = runtime
        self.scan = DlpScanAddon(runtime)
        self.redact = RedactAddon()

    async def through(self, flow: http.HTTPFlow) -> None:
        """Scan, then a policy decision like the policy addon's, then redaction."""
        _applied(flow, await self.scan.request(flow))
        if flow.response is None:
            from warden.identity import Identity
            from warden.policy import compile_policy, evaluate
            from warden.policy.facts import build_context

            scan = exchange(flow).findings
            ctx = build_context(
                self.runtime.current().policy,
                Identity("alice"),
                exchange(flow).app,
                "api.openai.com",
                exchange(flow).request,
                tuple(scan.findings) if scan else (),
            )
            exchange(flow).decision = evaluate(compile_policy(self.runtime.current().policy), ctx)
            _applied(flow, await self.redact.request(flow))


def _applied(flow: http.HTTPFlow, refusal: Refusal | None) -> None:
    """What the pipeline does with a stage's answer (addons/pipeline.py)."""
    if refusal is not None:
        refuse(flow, refusal)


@pytest.fixture
def runtime() -> RuntimeAddon:
    return RuntimeAddon()


@pytest.mark.asyncio
async def test_findings_are_on_the_flow_before_the_policy_decides(runtime, tmp_path):
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path))
        flow = _flow(runtime, f"key {KEY}")
        _applied(flow, await proxy.scan.request(flow))
        [finding] = exchange(flow).findings.findings
        assert finding.entity_type == "OPENAI_API_KEY"
        assert flow.response is None


@pytest.mark.asyncio
async def test_redaction_rewrites_the_forwarded_body_as_identity(runtime, tmp_path):
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path))
        flow = _flow(runtime, f"key {KEY}, mail {EMAIL}")
        await proxy.through(flow)
        assert "content-encoding" not in flow.request.headers
        sent = json.loads(flow.request.content or b"")
        assert sent["messages"][0]["content"] == "key [REDACTED:OPENAI_API_KEY], mail <EMAIL_1>"
        assert exchange(flow).redaction == {
            "count": 2,
            "by_type": {"EMAIL_ADDRESS": 1, "OPENAI_API_KEY": 1},
            "reversible": True,
        }
        # Reversible: the answer is asked for uncompressed and passes through the restorer.
        assert flow.request.headers["accept-encoding"] == "identity"
        [restorer] = exchange(flow).response_filters
        flow.response = http.Response.make(200, b"", {"content-type": "application/json"})
        answer = json.dumps({"choices": [{"message": {"content": "Sent to <EMAIL_1>."}}]})
        half = len(answer) // 2
        out = restorer(answer[:half].encode()) + restorer(answer[half:].encode()) + restorer(b"")
        assert json.loads(out)["choices"][0]["message"]["content"] == f"Sent to {EMAIL}."


@pytest.mark.asyncio
async def test_a_blocking_rule_on_findings_answers_in_the_providers_format(runtime, tmp_path):
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path))
        flow = _flow(runtime, FakeKeys(1).private_key())
        await proxy.through(flow)
        decision: Decision = exchange(flow).decision
        assert decision.action is Action.BLOCK and decision.rule_id == "block-private-keys"


@pytest.mark.asyncio
async def test_timeout_fails_closed_with_503(runtime, tmp_path, caplog):
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path, timeout_ms=1))
        await proxy.scan.engine.scanner()  # built before the budget starts, as at startup
        flow = _flow(runtime, f"Ana Lima wrote {KEY}. " * 20000)
        _applied(flow, await proxy.scan.request(flow))
        assert flow.response is not None and flow.response.status_code == 503
        error = json.loads(flow.response.content or b"")["error"]
        assert "could not check this request" in error["message"]
        assert exchange(flow).refusal.code == "dlp_unavailable"
        assert KEY not in caplog.text


@pytest.mark.asyncio
async def test_fail_open_forwards_marks_unscanned_and_warns_without_content(
    runtime, tmp_path, caplog
):
    caplog.set_level(logging.WARNING)
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path, "open", timeout_ms=1))
        await proxy.scan.engine.scanner()
        flow = _flow(runtime, f"Ana Lima wrote {KEY}. " * 20000)
        _applied(flow, await proxy.scan.request(flow))
        assert flow.response is None
        assert exchange(flow).unscanned == "timeout"
        assert flow.id in caplog.text and KEY not in caplog.text and "Ana Lima" not in caplog.text


@pytest.mark.asyncio
async def test_an_analyzer_error_is_logged_by_type_only(runtime, tmp_path, caplog, monkeypatch):
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path))
        scanner = await proxy.scan.engine.scanner()
        assert scanner is not None

        def explode(*args: object, **kwargs: object) -> None:
            raise ValueError(f"cannot parse {KEY}")

        monkeypatch.setattr(scanner, "scan", explode)
        flow = _flow(runtime, f"key {KEY}")
        _applied(flow, await proxy.scan.request(flow))
        assert flow.response is not None and flow.response.status_code == 503
        assert "ValueError" in caplog.text and KEY not in caplog.text


@pytest.mark.asyncio
async def test_websocket_messages_are_redacted_or_blocked(runtime, tmp_path, monkeypatch):
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path))
        addon = DlpWebSocketAddon(runtime, proxy.scan.engine)
        sent: list[bytes] = []
        monkeypatch.setattr(
            addon, "_tell_client", lambda flow, code, msg: sent.append(code.encode())
        )

        flow = tflow.twebsocketflow()
        flow.request.host = "api.openai.com"
        exchange(flow).app = runtime.current().catalog.lookup("api.openai.com")
        event = {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": [
                {"type": "input_text", "text": f"use {KEY} and write to {EMAIL}"}
            ]},
        }  # fmt: skip
        flow.websocket.messages.append(_client_text(json.dumps(event)))
        await addon.websocket_message(flow)
        message = flow.websocket.messages[-1]
        out = json.loads(message.content)
        assert out["item"]["content"][0]["text"] == (
            "use [REDACTED:OPENAI_API_KEY] and write to <EMAIL_1>"
        )
        assert out["type"] == "conversation.item.create"

        flow.websocket.messages.append(
            _client_text(json.dumps({"text": FakeKeys(2).private_key()}))
        )
        await addon.websocket_message(flow)
        assert flow.websocket.messages[-1].dropped
        assert sent == [b"blocked_by_policy"]


@pytest.mark.asyncio
async def test_binary_websocket_messages_are_read_by_their_content(runtime, tmp_path, monkeypatch):
    with taddons.context(runtime) as tctx:
        proxy = _Proxy(tctx, runtime, tmp_path, _policy(tmp_path))
        addon = DlpWebSocketAddon(runtime, proxy.scan.engine)
        sent: list[str] = []
        monkeypatch.setattr(addon, "_tell_client", lambda flow, code, msg: sent.append(code))
        flow = tflow.twebsocketflow()
        flow.request.host = "api.openai.com"
        exchange(flow).app = runtime.current().catalog.lookup("api.openai.com")

        event = {"type": "conversation.item.create", "item": {"content": [{"text": f"k {KEY}"}]}}
        flow.websocket.messages.append(_client_binary(json.dumps(event).encode()))
        await addon.websocket_message(flow)
        message = flow.websocket.messages[-1]
        assert not message.is_text and KEY.encode() not in message.content
        assert json.loads(message.content)["item"]["content"][0]["text"] == (
            "k [REDACTED:OPENAI_API_KEY]"
        )

        flow.websocket.messages.append(_client_binary(b"\x00\x01\x02binary\x00\xff" * 50))
        await addon.websocket_message(flow)
        assert flow.websocket.messages[-1].dropped
        assert sent == ["unreadable_content"]


def _client_binary(data: bytes) -> Any:
    from mitmproxy import websocket
    from wsproto.frame_protocol import Opcode

    return websocket.WebSocketMessage(Opcode.BINARY, True, data)


def _client_text(text: str) -> Any:
    from mitmproxy import websocket
    from wsproto.frame_protocol import Opcode

    return websocket.WebSocketMessage(Opcode.TEXT, True, text.encode())


def test_a_decision_without_redactions_leaves_the_body_alone():
    flow = tflow.tflow()
    exchange(flow).decision = Decision(Action.ALLOW, None, "default")
    before = flow.request.content
    asyncio.run(RedactAddon().request(flow))
    assert flow.request.content == before
