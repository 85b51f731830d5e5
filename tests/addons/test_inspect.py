"""InspectAddon: each AI request is read into a NormalizedRequest before anything decides about
it; what is too large, malformed or unreadable is refused in the provider's error format."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy.test import taddons, tflow

from addons import inspect as inspect_module
from addons.exchange import exchange
from addons.inspect import InspectAddon
from addons.pipeline import WardenPipeline
from addons.runtime import RuntimeAddon
from tests.addons.traffic import ai_request, applied, chat_body, classified, configure

MAX_BODY = 4096
UNREADABLE_POLICY = """
version: 1
name: unreadable-{mode}
dlp: {{unreadable: {mode}}}
"""


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[RuntimeAddon]:
    runtime = RuntimeAddon()
    with taddons.context(runtime) as tctx:
        configure(tctx, runtime, tmp_path, warden_max_body=MAX_BODY)
        yield runtime


def _with_binary_file() -> str:
    blob = base64.b64encode(bytes(range(256)) * 8).decode()
    part = {"type": "file", "file": {"filename": "blob.bin", "file_data": f"data:;base64,{blob}"}}
    content = [{"type": "text", "text": "what is this?"}, part]
    return json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]})


@pytest.mark.parametrize(
    ("host", "message_of"),
    [
        ("api.openai.com", lambda body: body["error"]["message"]),
        ("api.anthropic.com", lambda body: body["type"] == "error" and body["error"]["message"]),
    ],
)
def test_an_oversized_declared_length_is_refused_413_before_the_body_is_read(
    runtime: RuntimeAddon, host: str, message_of
) -> None:
    flow = classified(ai_request(host), runtime)
    flow.request.headers["content-length"] = str(MAX_BODY + 1)
    flow.request.raw_content = None  # at requestheaders nothing of the body has arrived
    WardenPipeline([InspectAddon(runtime)]).requestheaders(flow)  # type: ignore[attr-defined]
    assert flow.response is not None and flow.response.status_code == 413
    assert flow.response.headers["X-Warden-Error"] == "body_too_large"
    assert "Request body is 4,097 bytes; Warden inspects at most 4,096 bytes" in message_of(
        flow.response.json()
    )
    refusal = exchange(flow).refusal
    assert refusal is not None and refusal.stage == "inspect"


def test_a_declared_length_within_the_limit_waits_for_the_body(runtime: RuntimeAddon) -> None:
    flow = classified(ai_request(), runtime)
    flow.request.headers["content-length"] = str(MAX_BODY)
    assert InspectAddon(runtime).requestheaders(flow) is None
    assert flow.response is None


@pytest.mark.asyncio
async def test_a_body_larger_than_declared_is_still_refused_once_read(
    runtime: RuntimeAddon,
) -> None:
    flow = classified(ai_request(body=chat_body("x" * MAX_BODY)), runtime)
    applied(flow, await InspectAddon(runtime).request(flow))
    assert flow.response is not None and flow.response.status_code == 413


@pytest.mark.asyncio
async def test_a_malformed_json_body_is_refused_not_forwarded(runtime: RuntimeAddon) -> None:
    flow = classified(ai_request(body=b'{"model": "gpt-4o", "messages": [{"content": "hi'), runtime)
    applied(flow, await InspectAddon(runtime).request(flow))
    assert flow.response is not None and flow.response.status_code == 400
    error = flow.response.json()["error"]
    assert error["code"] == "malformed_body" and "not valid JSON" in error["message"]
    assert exchange(flow).request is None


@pytest.mark.asyncio
async def test_a_readable_request_yields_a_normalized_request_with_its_text(
    runtime: RuntimeAddon,
) -> None:
    body = chat_body("Plan the offsite for the data team.", model="gpt-4o", stream=True)
    flow = classified(ai_request(body=gzip.compress(body)), runtime)
    flow.request.headers["content-encoding"] = "gzip"
    applied(flow, await InspectAddon(runtime).request(flow))
    assert flow.response is None
    x = exchange(flow)
    assert x.request is not None
    assert (x.request.provider, x.request.model, x.request.stream) == ("openai", "gpt-4o", True)
    assert [(s.role, s.text) for s in x.request.segments] == [
        ("user", "Plan the offsite for the data team.")
    ]
    assert x.body == body  # decoded, kept for redaction
    assert x.target == "/v1/chat/completions"


@pytest.mark.asyncio
async def test_a_file_warden_cannot_read_is_refused_415_naming_it(runtime: RuntimeAddon) -> None:
    flow = classified(ai_request(body=_with_binary_file().encode()), runtime)
    applied(flow, await InspectAddon(runtime).request(flow))
    assert flow.response is not None and flow.response.status_code == 415
    message = flow.response.json()["error"]["message"]
    assert "could not read messages[0].content[1].file.file_data (binary data)" in message
    assert exchange(flow).unscanned is None


@pytest.mark.asyncio
async def test_under_unreadable_monitor_the_file_goes_out_on_record_as_not_fully_scanned(
    tmp_path: Path,
) -> None:
    runtime = RuntimeAddon()
    with taddons.context(runtime) as tctx:
        configure(tctx, runtime, tmp_path, policy=UNREADABLE_POLICY.format(mode="monitor"))
        flow = classified(ai_request(body=_with_binary_file().encode()), runtime)
        applied(flow, await InspectAddon(runtime).request(flow))
    assert flow.response is None
    assert exchange(flow).unscanned == (
        "unreadable: messages[0].content[1].file.file_data (binary data)"
    )


@pytest.mark.asyncio
async def test_a_parser_failure_refuses_the_request_fail_closed(
    runtime: RuntimeAddon, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(inspect_module, "parse_request", broken)
    flow = classified(ai_request(), runtime)
    applied(flow, await InspectAddon(runtime).request(flow))
    assert flow.response is not None and flow.response.status_code == 500
    assert "could not inspect" in flow.response.json()["error"]["message"]


@pytest.mark.asyncio
async def test_requests_to_hosts_that_are_not_ai_are_not_read(runtime: RuntimeAddon) -> None:
    flow = tflow.tflow()
    flow.request.content = b"\x00 not json at all"
    addon = InspectAddon(runtime)
    assert addon.requestheaders(flow) is None
    assert await addon.request(flow) is None
    assert exchange(flow).request is None
