"""UsageAddon: each forwarded AI request's answer is read on its way past, buffered or
streamed, and leaves tokens and cost on the exchange: the provider's own usage block when it
sends one, an estimate when the answer breaks off, nothing for what Warden answered itself."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow

from addons.exchange import exchange
from addons.inspect import InspectAddon
from addons.refuse import refuse
from addons.runtime import RuntimeAddon
from addons.stream import StreamAddon
from addons.usage import UsageAddon
from tests.addons.traffic import ai_request, chat_body, classified, configure
from warden.refusal import Refusal, Stage

# USD per million tokens, so that the expected cost is plain arithmetic.
SITE_PRICES = """
version: site-prices-1
currency: USD
models:
  - {match: ["gpt-4o-mini*"], input: 1.00, output: 2.00}
"""
USAGE = {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}
COST = 1000 * 1.00 / 1e6 + 500 * 2.00 / 1e6


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[RuntimeAddon]:
    prices = tmp_path / "prices.yaml"
    prices.write_text(SITE_PRICES)
    runtime = RuntimeAddon()
    with taddons.context(runtime) as tctx:
        configure(tctx, runtime, tmp_path, warden_prices=str(prices))
        yield runtime


async def _requested(runtime: RuntimeAddon, usage: UsageAddon) -> http.HTTPFlow:
    flow = classified(ai_request(body=chat_body("Name three rivers in Spain.")), runtime)
    assert await InspectAddon(runtime).request(flow) is None
    usage.request(flow)
    return flow


def _respond(flow: http.HTTPFlow, content_type: str, length: int | None) -> None:
    flow.response = tflow.tresp(content=b"")
    flow.response.headers["content-type"] = content_type
    flow.response.headers.pop("content-length", None)
    if length is not None:
        flow.response.headers["content-length"] = str(length)


def _streaming(flow: http.HTTPFlow) -> Callable[[bytes], bytes]:
    """The callable mitmproxy passes each chunk of a streamed answer through."""
    assert flow.response is not None and callable(flow.response.stream)
    return flow.response.stream  # type: ignore[return-value]


def _sse(*events: object) -> list[bytes]:
    return [f"data: {json.dumps(e)}\n\n".encode() for e in events] + [b"data: [DONE]\n\n"]


def _delta(text: str) -> dict[str, object]:
    choice = {"index": 0, "delta": {"content": text}}
    return {"model": "gpt-4o-mini-2024-07-18", "choices": [choice]}


@pytest.mark.asyncio
async def test_a_buffered_answer_s_usage_block_gives_tokens_and_cost(
    runtime: RuntimeAddon,
) -> None:
    usage_addon, stream = UsageAddon(runtime), StreamAddon()
    flow = await _requested(runtime, usage_addon)
    body = json.dumps(
        {
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"message": {"role": "assistant", "content": "Ebro, Tajo, Duero."}}],
            "usage": USAGE,
        }
    ).encode()
    _respond(flow, "application/json", len(body))
    assert flow.response is not None
    flow.response.raw_content = body
    stream.responseheaders(flow)
    stream.response(flow)  # first in the chain: the filters run here for buffered answers
    usage_addon.response(flow)

    assert flow.response.raw_content == body  # read, never changed
    usage = exchange(flow).usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.source) == (1000, 500, "provider")
    assert usage.cost_usd == pytest.approx(COST)
    assert usage.price_version is not None
    assert usage.price_version.endswith("+site-prices-1")  # the shipped table's, then the site's


@pytest.mark.asyncio
async def test_a_streamed_answer_s_final_usage_chunk_gives_tokens_and_cost(
    runtime: RuntimeAddon,
) -> None:
    usage_addon = UsageAddon(runtime)
    flow = await _requested(runtime, usage_addon)
    _respond(flow, "text/event-stream", None)
    StreamAddon().responseheaders(flow)
    passing = _streaming(flow)
    chunks = _sse(_delta("Ebro, "), _delta("Tajo."), {"choices": [], "usage": USAGE})
    sent = b"".join(passing(c) for c in chunks) + passing(b"")
    assert sent == b"".join(chunks)
    usage_addon.response(flow)

    usage = exchange(flow).usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.source) == (1000, 500, "provider")
    assert usage.cost_usd == pytest.approx(COST)


@pytest.mark.asyncio
async def test_a_stream_cut_off_midway_is_estimated_from_what_came(
    runtime: RuntimeAddon,
) -> None:
    usage_addon = UsageAddon(runtime)
    flow = await _requested(runtime, usage_addon)
    _respond(flow, "text/event-stream", None)
    StreamAddon().responseheaders(flow)
    passing = _streaming(flow)
    for chunk in _sse(_delta("The Ebro rises in Cantabria and flows "))[:1]:
        passing(chunk)
    flow.error = tflow.terr()  # the connection broke before the usage chunk
    usage_addon.error(flow)

    usage = exchange(flow).usage
    assert usage is not None and usage.source == "estimated"
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    assert usage.cost_usd is not None and usage.cost_usd > 0


@pytest.mark.asyncio
async def test_an_answer_warden_gave_itself_uses_no_tokens(runtime: RuntimeAddon) -> None:
    usage_addon = UsageAddon(runtime)
    flow = await _requested(runtime, usage_addon)
    refuse(flow, Refusal(Stage.AUDIT, 503, "audit_store_unavailable", "disk full"))
    StreamAddon().response(flow)
    usage_addon.response(flow)
    assert exchange(flow).usage is None


@pytest.mark.asyncio
async def test_a_request_that_was_not_inspected_is_not_metered(runtime: RuntimeAddon) -> None:
    flow = tflow.tflow(resp=True)  # not an AI host
    UsageAddon(runtime).request(flow)
    assert exchange(flow).response_filters == []
