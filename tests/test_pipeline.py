"""Warden's stages registered with mitmproxy as one addon: every hook reaches every stage in
order, a failing stage does not stop the others, and AddonHalt still stops the chain."""

from __future__ import annotations

import logging

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons, tflow

from addons import make_addons, make_stages
from addons.exchange import exchange
from addons.pipeline import WardenPipeline
from addons.runtime import RuntimeAddon


class Recorder:
    def __init__(self, name: str, calls: list[str]) -> None:
        self.name, self.calls = name, calls

    def requestheaders(self, flow) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(f"{self.name}.requestheaders")


class AsyncRecorder(Recorder):
    async def request(self, flow) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(f"{self.name}.request")


class Broken:
    def request(self, flow) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("stage bug")


class Halting:
    def requestheaders(self, flow) -> None:  # type: ignore[no-untyped-def]
        raise exceptions.AddonHalt()


@pytest.mark.asyncio
async def test_hooks_reach_the_stages_in_order_sync_and_async() -> None:
    calls: list[str] = []
    pipeline = WardenPipeline([Recorder("a", calls), AsyncRecorder("b", calls)])
    flow = tflow.tflow()
    pipeline.requestheaders(flow)
    await pipeline.request(flow)
    assert calls == ["a.requestheaders", "b.requestheaders", "b.request"]
    assert not hasattr(pipeline, "response")  # no stage handles it: mitmproxy skips us


@pytest.mark.asyncio
async def test_a_failing_stage_is_logged_and_the_next_one_runs(caplog) -> None:
    calls: list[str] = []
    pipeline = WardenPipeline([Broken(), AsyncRecorder("after", calls)])
    with caplog.at_level(logging.ERROR, "warden.pipeline"):
        await pipeline.request(tflow.tflow())
    assert calls == ["after.request"]
    assert "Addon error in Broken.request: stage bug" in caplog.text


def test_addon_halt_stops_the_chain() -> None:
    calls: list[str] = []
    pipeline = WardenPipeline([Halting(), Recorder("never", calls)])
    with pytest.raises(exceptions.AddonHalt):
        pipeline.requestheaders(tflow.tflow())
    assert calls == []


def test_mitmproxy_sees_one_addon_with_every_stages_options(tmp_path) -> None:
    [pipeline] = make_addons()
    assert isinstance(pipeline, WardenPipeline)
    assert len(pipeline.stages) == len(make_stages())
    with taddons.context(pipeline) as tctx:
        tctx.configure(pipeline, warden_data_dir=str(tmp_path), warden_detect_worker=False)
        for option in ("warden_policy", "warden_prices", "warden_audit_flush_ms"):
            assert option in tctx.options
        assert pipeline.stage(RuntimeAddon).current().config.data_dir == tmp_path


class BrokenWithSecret:
    """A stage whose exception message quotes the request it choked on."""

    def request(self, flow) -> None:  # type: ignore[no-untyped-def]
        raise ValueError("could not parse sk-live-quoted-prompt-text")


class BrokenAfterForwarding:
    def response(self, flow) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("late bug")


def _ai_flow():  # type: ignore[no-untyped-def]
    from warden.catalog import Catalog

    flow = tflow.tflow()
    exchange(flow).app = Catalog.default().lookup("api.openai.com")
    return flow


def test_an_ai_request_a_stage_failed_to_check_is_refused_not_forwarded() -> None:
    calls: list[str] = []
    pipeline = WardenPipeline([BrokenWithSecret(), Recorder("audit", calls)])
    flow = _ai_flow()
    pipeline.request(flow)
    assert flow.response is not None and flow.response.status_code == 503
    body = flow.response.json()  # OpenAI's error format: the SDK raises with this message
    assert "internal error, so it was not sent" in body["error"]["message"]
    assert flow.response.headers["X-Warden-Error"] == "warden_internal_error"
    rejected = exchange(flow).refusal
    assert rejected is not None and rejected.code == "warden_internal_error"
    assert rejected.stage == "pipeline"
    assert "BrokenWithSecret.request failed (ValueError)" in rejected.reason
    assert "sk-live" not in str(rejected) and "sk-live" not in flow.response.text


def test_a_failure_outside_ai_requests_or_after_forwarding_changes_no_answer() -> None:
    pipeline = WardenPipeline([BrokenWithSecret(), BrokenAfterForwarding()])
    not_ai = tflow.tflow()  # a plain-HTTP request to some other host
    pipeline.request(not_ai)
    assert not_ai.response is None and exchange(not_ai).refusal is None
    answered = _ai_flow()
    answered.response = tflow.tresp()
    pipeline.response(answered)
    assert answered.response.status_code == 200
