"""sent_segments: what left for the provider is the text after redaction, read back from the
forwarded body; nothing for a request that did not leave, and never the original text when
the forwarded body cannot be read."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy.test import taddons

from addons.dlp import DlpScanAddon
from addons.exchange import exchange
from addons.inspect import InspectAddon
from addons.pipeline import WardenPipeline
from addons.policy import PolicyAddon
from addons.redact import RedactAddon
from addons.runtime import RuntimeAddon
from addons.sent import forwarded, sent_segments
from tests.addons.traffic import ai_request, chat_body, classified, configure
from tests.dlp.fake_keys import FakeKeys

KEY = FakeKeys(15).openai()
POLICY = """
version: 1
name: sent-tests
dlp: {entities: [SECRETS], ner: false}
rules:
  - id: no-gpt5
    match: {models: ["gpt-5*"]}
    action: block
  - id: mask-secrets
    match: {dlp: {entities: [SECRETS]}}
    action: redact
    redact: [{entities: [SECRETS], style: mask}]
"""

type Setup = tuple[RuntimeAddon, WardenPipeline]


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Setup]:
    runtime = RuntimeAddon()
    with taddons.context(runtime) as tctx:
        configure(tctx, runtime, tmp_path, policy=POLICY)
        stages = [InspectAddon(runtime), DlpScanAddon(runtime), PolicyAddon(runtime), RedactAddon()]
        yield runtime, WardenPipeline(stages)


async def _through(setup: Setup, text: str, model: str = "gpt-4o") -> http.HTTPFlow:
    runtime, pipeline = setup
    flow = classified(ai_request(body=chat_body(text, model=model)), runtime)
    result = pipeline.request(flow)  # type: ignore[attr-defined]
    if inspect.isawaitable(result):
        await result
    return flow


@pytest.mark.asyncio
async def test_what_left_after_redaction_is_what_is_captured(pipeline: Setup) -> None:
    flow = await _through(pipeline, f"deploy with {KEY} please")
    assert flow.response is None and exchange(flow).redaction
    sent = await sent_segments(flow)
    assert sent is not None
    [segment] = sent
    assert KEY not in segment.text and segment.text.startswith("deploy with ")
    assert segment.text.endswith(" please")
    assert KEY.encode() not in (flow.request.content or b"")  # and it is what was forwarded
    request = exchange(flow).request
    assert request is not None and KEY in request.segments[0].text  # the original, as written


@pytest.mark.asyncio
async def test_without_redaction_what_left_is_the_request_as_written(pipeline: Setup) -> None:
    flow = await _through(pipeline, "plan the sprint")
    sent = await sent_segments(flow)
    assert sent is not None and [s.text for s in sent] == ["plan the sprint"]


@pytest.mark.asyncio
async def test_a_blocked_request_sent_nothing(pipeline: Setup) -> None:
    flow = await _through(pipeline, "plan the sprint", model="gpt-5")
    assert flow.response is not None and flow.response.status_code == 403
    assert not forwarded(flow)
    assert await sent_segments(flow) is None


@pytest.mark.asyncio
async def test_an_unreadable_forwarded_body_records_nothing_rather_than_the_original(
    pipeline: Setup,
) -> None:
    flow = await _through(pipeline, f"deploy with {KEY} please")
    flow.request.raw_content = b"\x1f\x8b not json"  # whatever happened to it on the way
    assert await sent_segments(flow) is None
