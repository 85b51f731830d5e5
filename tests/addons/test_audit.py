"""AuditAddon: every AI request leaves a record in the store: journaled before it leaves,
written with its answer, or with the stage that refused it; never the raw secret. A store that
cannot record refuses requests (on_store_failure: block) or lets them go (serve). Every answer
to an AI request names its event in an x-warden-event-id header."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow
from mitmproxy.websocket import WebSocketMessage
from wsproto.frame_protocol import Opcode

from addons.audit import EVENT_ID_HEADER, AuditAddon
from addons.dlp import DlpScanAddon
from addons.dlp_websocket import DlpWebSocketAddon
from addons.exchange import exchange
from addons.inspect import InspectAddon
from addons.pipeline import WardenPipeline
from addons.policy import PolicyAddon
from addons.redact import RedactAddon
from addons.refuse import Departure
from addons.runtime import RuntimeAddon
from addons.stream import StreamAddon
from tests.addons.traffic import ai_request, chat_body, classified, configure
from tests.dlp.fake_keys import FakeKeys
from warden.identity import Identity
from warden.store.journal import WEBSOCKET_MESSAGE
from warden.store.layout import StoreLayout
from warden.store.reader import read_events

KEY = FakeKeys(14).openai()

POLICY = """
version: 1
name: audit-addon-tests
default_action: monitor
dlp: {{entities: [SECRETS], ner: false}}
rules:
  - id: mask-secrets
    match: {{dlp: {{entities: [SECRETS]}}}}
    action: redact
    redact: [{{entities: [SECRETS], style: mask}}]
audit: {{capture: redacted, on_store_failure: {on_store_failure}}}
"""


class Warden:
    """The request stages from inspection to the audit journal, with a store in tmp_path."""

    def __init__(self, tctx: taddons.context, runtime: RuntimeAddon, audit: AuditAddon) -> None:
        self.runtime, self.audit = runtime, audit
        self.data_dir = Path(tctx.options.warden_data_dir)
        stages = [
            StreamAddon(),
            InspectAddon(runtime),
            DlpScanAddon(runtime),
            PolicyAddon(runtime),
            RedactAddon(),
            audit,
            Departure(),
        ]
        self.pipeline = WardenPipeline(stages)

    async def send(self, flow: http.HTTPFlow) -> http.HTTPFlow:
        classified(flow, self.runtime)
        exchange(flow).identity = Identity("alice", ("engineering",), "laptop-7")
        for hook in ("requestheaders", "request"):
            result = getattr(self.pipeline, hook)(flow)
            if inspect.isawaitable(result):
                await result
        return flow

    async def answered(self, flow: http.HTTPFlow, answer: http.Response | None = None) -> None:
        """The answer arrives (or Warden's own goes out): its headers first, as in mitmproxy,
        which runs responseheaders for an answer set in the request phase too."""
        if flow.response is None:
            flow.response = answer or tflow.tresp(content=b'{"choices": []}')
        self.pipeline.responseheaders(flow)
        await self.audit.response(flow)

    def events(self) -> list[dict[str, Any]]:
        writer = self.audit.writer()
        assert writer is not None and writer.flush(10)
        return read_events(self.data_dir, "type = 'request'")

    def journal(self) -> bytes:
        journal_dir = StoreLayout(self.data_dir).journal_dir
        return b"".join(p.read_bytes() for p in sorted(journal_dir.glob("*.jsonl")))


def _warden(tmp_path: Path, on_store_failure: str = "block") -> Iterator[Warden]:
    runtime = RuntimeAddon()
    audit = AuditAddon(runtime)
    with taddons.context(runtime, audit) as tctx:
        policy = POLICY.format(on_store_failure=on_store_failure)
        configure(tctx, runtime, tmp_path, policy=policy, warden_audit_flush_ms=50)
        audit.running()
        try:
            yield Warden(tctx, runtime, audit)
        finally:
            audit.done()


@pytest.fixture
def warden(tmp_path: Path) -> Iterator[Warden]:
    yield from _warden(tmp_path)


@pytest.mark.asyncio
async def test_an_answered_request_is_journaled_before_it_leaves_and_recorded_without_the_key(
    warden: Warden,
) -> None:
    flow = await warden.send(ai_request(body=chat_body(f"why does {KEY} fail with 401?")))
    assert flow.response is None  # forwarded
    assert flow.id.encode() in warden.journal()  # on disk before it left: survives kill -9
    await warden.answered(flow)

    [event] = warden.events()
    assert (event["id"], event["user"], event["app"], event["status"]) == (
        flow.id,
        "alice",
        "openai",
        200,
    )
    assert event["action"] == "redact" and event["rule_id"] == "mask-secrets"
    assert event["finding_types"] == ["OPENAI_API_KEY"]
    assert event["rejected"] is None and not event["blocked"]
    assert "why does" in event["prompt_text"]  # what left, as captured
    assert KEY not in json.dumps(event, default=str)
    assert KEY.encode() not in warden.journal()


@pytest.mark.asyncio
async def test_a_refused_request_is_recorded_with_the_stage_that_refused_it(
    warden: Warden,
) -> None:
    flow = await warden.send(ai_request(body=b'{"model": "gpt-4o", "messages": [{"con'))
    assert flow.response is not None and flow.response.status_code == 400
    assert flow.id.encode() not in warden.journal()  # it never left: nothing to journal
    await warden.answered(flow)

    [event] = warden.events()
    assert event["rejected"] == {
        "stage": "inspect",
        "status": 400,
        "code": "malformed_body",
        "reason": event["rejected"]["reason"],
    }
    assert "not valid JSON" in event["rejected"]["reason"]
    assert (event["blocked"], event["action"], event["status"]) == (True, "reject", 400)
    assert event["prompt_text"] is None  # nothing left, so nothing is captured as sent


@pytest.mark.asyncio
async def test_a_request_the_store_cannot_journal_is_refused_in_the_providers_format(
    warden: Warden, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = warden.audit.writer()
    assert writer is not None
    monkeypatch.setattr(writer._journal, "record", _disk_full)
    flow = await warden.send(ai_request("api.anthropic.com", path="/v1/messages"))
    assert flow.response is not None and flow.response.status_code == 503
    body = flow.response.json()
    assert body["type"] == "error" and "cannot record this request" in body["error"]["message"]
    refusal = exchange(flow).refusal
    assert refusal is not None and refusal.stage == "audit"
    assert "No space left on device" in refusal.reason


@pytest.mark.asyncio
async def test_under_on_store_failure_serve_a_request_leaves_unjournaled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for warden in _warden(tmp_path, on_store_failure="serve"):
        writer = warden.audit.writer()
        assert writer is not None
        monkeypatch.setattr(writer._journal, "record", _disk_full)
        flow = await warden.send(ai_request())
        assert flow.response is None
        assert exchange(flow).refusal is None


def test_a_tunnel_to_an_ai_host_that_was_not_decrypted_is_recorded_as_a_visit(
    warden: Warden,
) -> None:
    client = tflow.tclient_conn()
    client.peername = ("10.4.4.4", 51000)
    entry = warden.runtime.current().catalog.lookup("api.openai.com")
    assert entry is not None
    warden.audit.record_visit(client, "api.openai.com", entry)
    writer = warden.audit.writer()
    assert writer is not None and writer.flush(10)
    [visit] = read_events(warden.data_dir, "type = 'visit'")
    assert (visit["host"], visit["app"], visit["client_ip"], visit["decrypted"]) == (
        "api.openai.com",
        "openai",
        "10.4.4.4",
        False,
    )


@pytest.mark.asyncio
async def test_after_shutdown_the_store_holds_no_database_connection(tmp_path: Path) -> None:
    # DuckDB objects still alive at interpreter exit are reported as "nanobind: leaked N
    # instances!"; mitmproxy keeps its addons (and so the writer) until the process ends.
    for warden in _warden(tmp_path):
        await warden.answered(await warden.send(ai_request()))
        assert len(warden.events()) == 1
        writer = warden.audit.writer()
    assert writer is not None
    alive = [k for k, v in vars(writer).items() if isinstance(v, duckdb.DuckDBPyConnection)]
    assert alive == []


@pytest.mark.asyncio
async def test_a_forwarded_answer_names_the_event_recorded_for_its_request(
    warden: Warden,
) -> None:
    flow = await warden.send(ai_request())
    await warden.answered(flow)
    assert flow.response is not None
    [event] = warden.events()
    assert flow.response.headers[EVENT_ID_HEADER] == event["id"]


@pytest.mark.asyncio
async def test_a_streamed_answer_names_its_event_before_its_headers_leave(
    warden: Warden,
) -> None:
    flow = await warden.send(ai_request(body=chat_body("Stream a haiku.", stream=True)))
    answer = tflow.tresp(content=b"data: {}\n\n")
    answer.headers["content-type"] = "text/event-stream"
    del answer.headers["content-length"]
    flow.response = answer
    warden.pipeline.responseheaders(flow)  # what mitmproxy sends before the first chunk
    assert answer.stream and answer.headers[EVENT_ID_HEADER] == flow.id
    await warden.audit.response(flow)
    [event] = warden.events()
    assert event["id"] == flow.id and event["stream"] is True


@pytest.mark.asyncio
async def test_a_refusal_names_the_event_that_records_it(warden: Warden) -> None:
    flow = await warden.send(ai_request(body=b'{"model": "gpt-4o", "messages": [{"con'))
    await warden.answered(flow)
    assert flow.response is not None and flow.response.status_code == 400
    [event] = warden.events()
    assert event["rejected"]["stage"] == "inspect"
    assert flow.response.headers[EVENT_ID_HEADER] == event["id"]


@pytest.mark.asyncio
async def test_a_websocket_handshake_names_the_event_of_its_connection(warden: Warden) -> None:
    flow = tflow.twebsocketflow()
    flow.request.host = "api.openai.com"
    classified(flow, warden.runtime)
    assert flow.response is not None and flow.response.status_code == 101
    warden.pipeline.responseheaders(flow)
    await warden.audit.response(flow)
    [event] = warden.events()
    assert flow.response.headers[EVENT_ID_HEADER] == event["id"]


@pytest.mark.parametrize(
    ("host", "internal"),
    [
        ("example.com", None),  # not an AI host: nothing is recorded
        ("api.openai.com", "health"),  # Warden's own page on an AI host's name
    ],
)
def test_answers_without_an_audit_event_name_none(
    warden: Warden, host: str, internal: str | None
) -> None:
    flow = ai_request(host)
    if host != "example.com":
        classified(flow, warden.runtime)
    exchange(flow).internal = internal
    flow.response = tflow.tresp()
    warden.pipeline.responseheaders(flow)
    assert EVENT_ID_HEADER not in flow.response.headers


def _client_says(flow: http.HTTPFlow, text: str) -> None:
    assert flow.websocket is not None
    flow.websocket.messages.append(WebSocketMessage(Opcode.TEXT, True, text.encode()))


@pytest.mark.asyncio
async def test_websocket_messages_dlp_acted_on_get_records_of_their_own(
    warden: Warden, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlp = DlpWebSocketAddon(warden.runtime, DlpScanAddon(warden.runtime).engine)
    monkeypatch.setattr(dlp, "_tell_client", lambda flow, code, text: None)
    flow = tflow.twebsocketflow()
    flow.request.host = "api.openai.com"
    classified(flow, warden.runtime)
    exchange(flow).identity = Identity("alice")

    event = {"type": "conversation.item.create", "item": {"content": [{"text": f"k={KEY}"}]}}
    _client_says(flow, json.dumps(event))
    await dlp.websocket_message(flow)
    warden.audit.websocket_message(flow)
    journaled = warden.journal()  # before the message left
    assert flow.websocket is not None  # and now bytes Warden cannot read
    binary = b"\x00\x01\x02binary\x00\xff" * 50
    flow.websocket.messages.append(WebSocketMessage(Opcode.BINARY, True, binary))
    await dlp.websocket_message(flow)
    warden.audit.websocket_message(flow)

    redacted, dropped = warden.events()
    assert redacted["method"] == dropped["method"] == WEBSOCKET_MESSAGE
    assert redacted["user"] == "alice" and redacted["finding_types"] == ["OPENAI_API_KEY"]
    assert redacted["redaction"] and not redacted["blocked"]
    assert "k=" in redacted["prompt_text"] and KEY not in json.dumps(redacted, default=str)
    assert redacted["id"].encode() in journaled and KEY.encode() not in journaled
    assert dropped["blocked"] and dropped["rejected"]["stage"] == "inspect"
    assert dropped["rejected"]["code"] == "unreadable_content"


def _disk_full(event: object) -> None:
    raise OSError(28, "No space left on device")
