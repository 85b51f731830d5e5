"""PolicyAddon: rules block with a reply that names the rule, quotas answer 429 with
Retry-After, a quota counts only requests that actually leave, coaching warns SDKs and shows
browsers a page they can continue past, and counters survive a restart."""

from __future__ import annotations

import inspect
import re
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy.test import taddons

from addons import policy as policy_module
from addons.exchange import exchange
from addons.inspect import InspectAddon
from addons.pipeline import WardenPipeline
from addons.policy import PolicyAddon
from addons.refuse import Departure
from addons.runtime import RuntimeAddon
from tests.addons.traffic import ai_request, chat_body, classified, configure
from warden.identity import Identity
from warden.policy import Action
from warden.policy.coaching import CONTINUE_PATH
from warden.refusal import Refusal, Stage
from warden.usage.model import Usage

POLICY = """
version: 1
name: policy-addon-tests
default_action: monitor
rules:
  - id: no-gpt5
    match: {models: ["gpt-5*"]}
    action: block
    message: GPT-5 is not approved here; use gpt-4o.
  - id: think-before-pasting
    match: {apps: [chatgpt-web, anthropic]}
    action: coach
    message: Consumer chat apps keep what you paste.
quotas:
  - id: one-per-minute
    scope: user
    users: [alice]
    requests: 1
    window: 1m
  - id: bobs-tokens
    scope: user
    users: [bob]
    tokens: 100
    window: 1h
"""

ALICE = Identity("alice", ("engineering",))
CAROL = Identity("carol", ("engineering",))


class StoreDown:
    """A stage after the policy that refuses, as the audit addon does when its store is down."""

    def request(self, flow: http.HTTPFlow) -> Refusal:
        return Refusal(Stage.AUDIT, 503, "audit_store_unavailable", "disk full")


class _Clock(datetime):
    # Half-way through a minute shortly ahead, so that no fixed quota window ends mid-test
    # and the counters saved at shutdown are still open when read back. Set per test: a test
    # may run minutes after this module was imported (parallel workers).
    frozen: datetime

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return cls.frozen


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(seconds=90)
    monkeypatch.setattr(_Clock, "frozen", ahead, raising=False)
    monkeypatch.setattr(policy_module, "datetime", _Clock)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[RuntimeAddon]:
    runtime = RuntimeAddon()
    with taddons.context(runtime) as tctx:
        configure(tctx, runtime, tmp_path, policy=POLICY)
        yield runtime


@pytest.fixture
def policy(runtime: RuntimeAddon) -> PolicyAddon:
    return PolicyAddon(runtime)


def _pipeline(runtime: RuntimeAddon, policy: PolicyAddon, *after: object) -> WardenPipeline:
    return WardenPipeline([InspectAddon(runtime), policy, *after, Departure()])


async def _send(pipeline: WardenPipeline, flow: http.HTTPFlow) -> http.HTTPFlow:
    """The request phase as mitmproxy runs it: requestheaders, then request."""
    for hook in (pipeline.requestheaders, pipeline.request):  # type: ignore[attr-defined]
        result = hook(flow)
        if inspect.isawaitable(result):
            await result
    return flow


def _ask(runtime: RuntimeAddon, who: Identity, model: str = "gpt-4o") -> http.HTTPFlow:
    flow = classified(ai_request(body=chat_body("Draft the release notes.", model=model)), runtime)
    exchange(flow).identity = who
    return flow


@pytest.mark.asyncio
async def test_a_blocking_rule_refuses_with_a_reply_that_names_the_rule(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    flow = _ask(runtime, CAROL, model="gpt-5-mini")
    assert await InspectAddon(runtime).request(flow) is None
    refusal = await policy.request(flow)  # returned, for the pipeline to apply
    assert refusal is not None and flow.response is None
    assert (refusal.stage, refusal.status, refusal.rule_id) == (Stage.POLICY, 403, "no-gpt5")

    flow = await _send(_pipeline(runtime, policy), _ask(runtime, CAROL, model="gpt-5-mini"))
    assert flow.response is not None and flow.response.status_code == 403
    assert flow.response.headers["X-Warden-Rule"] == "no-gpt5"
    assert flow.response.json()["error"]["message"] == "GPT-5 is not approved here; use gpt-4o."
    decision = exchange(flow).decision
    assert decision is not None and decision.action is Action.BLOCK


@pytest.mark.asyncio
async def test_a_request_no_rule_blocks_goes_on_with_the_default_decision(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    flow = await _send(_pipeline(runtime, policy), _ask(runtime, CAROL))
    assert flow.response is None
    decision = exchange(flow).decision
    assert decision is not None and decision.action is Action.MONITOR


@pytest.mark.asyncio
async def test_a_quota_breach_is_a_429_with_retry_after(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    pipeline = _pipeline(runtime, policy)
    first = await _send(pipeline, _ask(runtime, ALICE))
    assert first.response is None
    second = await _send(pipeline, _ask(runtime, ALICE))
    assert second.response is not None and second.response.status_code == 429
    assert second.response.headers["Retry-After"] == "30"  # when the minute's window ends
    assert second.response.headers["X-Warden-Quota"] == "one-per-minute"
    error = second.response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "Quota 'one-per-minute' reached for user alice" in error["message"]
    refusal = exchange(second).refusal
    assert refusal is not None and refusal.stage is Stage.QUOTA
    # Carol has no quota: Alice's use does not touch her.
    assert (await _send(pipeline, _ask(runtime, CAROL))).response is None


@pytest.mark.asyncio
async def test_a_reservation_is_released_when_a_later_stage_refuses_and_kept_once_it_leaves(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    refused = await _send(_pipeline(runtime, policy, StoreDown()), _ask(runtime, ALICE))
    assert refused.response is not None and refused.response.status_code == 503
    # Nothing left, so nothing was used: the one request a minute is still there.
    sent = await _send(_pipeline(runtime, policy), _ask(runtime, ALICE))
    assert sent.response is None
    # That one left (Departure committed it): nothing gives it back any more.
    reservation = exchange(sent).reservation
    assert reservation is not None
    reservation.release()
    late = await _send(_pipeline(runtime, policy), _ask(runtime, ALICE))
    assert late.response is not None and late.response.status_code == 429


@pytest.mark.asyncio
async def test_tokens_the_answer_used_count_against_a_token_quota(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    bob = Identity("bob")
    pipeline = _pipeline(runtime, policy)
    answered = await _send(pipeline, _ask(runtime, bob))
    assert answered.response is None
    exchange(answered).usage = Usage(input_tokens=10, output_tokens=150, source="provider")
    policy.response(answered)
    over = await _send(pipeline, _ask(runtime, bob))
    assert over.response is not None and over.response.status_code == 429
    assert over.response.headers["X-Warden-Quota"] == "bobs-tokens"


@pytest.mark.asyncio
async def test_quota_counters_survive_a_restart(tmp_path: Path, runtime: RuntimeAddon) -> None:
    before = PolicyAddon(runtime)
    before.running()
    assert (await _send(_pipeline(runtime, before), _ask(runtime, ALICE))).response is None
    before.done()
    after = PolicyAddon(runtime)
    after.running()
    try:
        again = await _send(_pipeline(runtime, after), _ask(runtime, ALICE))
    finally:
        after.done()
    assert again.response is not None and again.response.status_code == 429


@pytest.mark.asyncio
async def test_coaching_an_sdk_call_warns_in_a_header_and_lets_it_through(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    flow = classified(ai_request("api.anthropic.com", path="/v1/messages"), runtime)
    exchange(flow).identity = CAROL
    await _send(_pipeline(runtime, policy), flow)
    assert flow.response is None
    flow.response = http.Response.make(200, b"{}", {"content-type": "application/json"})
    policy.responseheaders(flow)
    assert flow.response.headers["X-Warden-Coach"] == "Consumer chat apps keep what you paste."


def _navigation(runtime: RuntimeAddon, method: str = "GET", path: str = "/") -> http.HTTPFlow:
    flow = classified(ai_request("chatgpt.com", body=b"", path=path), runtime)
    flow.request.method = method
    flow.request.headers["accept"] = "text/html,application/xhtml+xml"
    flow.request.headers["sec-fetch-dest"] = "document"
    exchange(flow).identity = CAROL
    return flow


@pytest.mark.asyncio
async def test_a_browser_is_coached_once_and_continues_after_giving_a_reason(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    pipeline = _pipeline(runtime, policy)
    page = await _send(pipeline, _navigation(runtime))
    assert page.response is not None and page.response.status_code == 403
    assert page.response.headers["X-Warden-Decision"] == "coach"
    html = page.response.text or ""
    assert "Consumer chat apps keep what you paste." in html
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token is not None

    form = _navigation(runtime, "POST", CONTINUE_PATH)
    form.request.headers["content-type"] = "application/x-www-form-urlencoded"
    form.request.content = urllib.parse.urlencode(
        {"token": token.group(1).replace("&amp;", "&"), "justification": "Public docs only."}
    ).encode()
    await _send(pipeline, form)
    assert form.response is not None and form.response.status_code == 303
    assert form.response.headers["Location"] == "https://chatgpt.com/"

    again = await _send(pipeline, _navigation(runtime))
    assert again.response is None
    decision = exchange(again).decision
    assert decision is not None and decision.reason == "continued earlier after coaching"


@pytest.mark.asyncio
async def test_a_continue_form_without_a_valid_token_is_refused(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    form = _navigation(runtime, "POST", CONTINUE_PATH)
    form.request.headers["content-type"] = "application/x-www-form-urlencoded"
    form.request.content = b"token=forged&justification=let+me+in"
    await _send(_pipeline(runtime, policy), form)
    assert form.response is not None and form.response.status_code == 400
    assert not policy.passes.has_pass("carol", "chatgpt-web", "think-before-pasting")


@pytest.mark.asyncio
async def test_a_script_inside_a_coached_web_app_gets_the_json_error_pointing_to_the_page(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    flow = classified(ai_request("chatgpt.com", path="/backend-api/conversation"), runtime)
    flow.request.content = b'{"model": "auto", "messages": [{"content": {"parts": ["hi"]}}]}'
    exchange(flow).identity = CAROL
    await _send(_pipeline(runtime, policy), flow)
    assert flow.response is not None and flow.response.status_code == 403
    assert "Open https://chatgpt.com/ in your browser" in flow.response.json()["detail"]


@pytest.mark.asyncio
async def test_a_form_served_by_one_process_and_its_pass_hold_in_another_and_after_a_restart(
    runtime: RuntimeAddon,
) -> None:
    """Two PolicyAddons on one data directory: a second worker, or the proxy after a restart.
    The form one signs, the other accepts; the pass one grants, the other honours."""
    first, second = PolicyAddon(runtime), PolicyAddon(runtime)
    first.running()
    second.running()
    try:
        page = await _send(_pipeline(runtime, first), _navigation(runtime))
        assert page.response is not None and page.response.status_code == 403
        token = re.search(r'name="token" value="([^"]+)"', page.response.text or "")
        assert token is not None

        form = _navigation(runtime, "POST", CONTINUE_PATH)
        form.request.headers["content-type"] = "application/x-www-form-urlencoded"
        form.request.content = urllib.parse.urlencode(
            {"token": token.group(1).replace("&amp;", "&"), "justification": "Public docs."}
        ).encode()
        await _send(_pipeline(runtime, second), form)
        assert form.response is not None and form.response.status_code == 303

        for proxy in (first, second):
            again = await _send(_pipeline(runtime, proxy), _navigation(runtime))
            assert again.response is None
        restarted = PolicyAddon(runtime)
        restarted.running()
        try:
            assert restarted.passes.has_pass("carol", "chatgpt-web", "think-before-pasting")
        finally:
            restarted.done()
    finally:
        first.done()
        second.done()


def test_a_fleet_key_in_the_environment_signs_forms_every_instance_accepts(
    runtime: RuntimeAddon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instances on other machines share no data directory: they share WARDEN_COACH_KEY."""
    from warden.policy.coaching import CoachPasses, CoachTicket

    monkeypatch.setenv("WARDEN_COACH_KEY", "fleet-wide coaching key")
    proxy = PolicyAddon(runtime)
    proxy.running()
    try:
        ticket = CoachTicket("carol", "chatgpt-web", "think-before-pasting", "https://x/", 4e9)
        token = proxy.passes.sign(ticket)
        elsewhere = CoachPasses(b"fleet-wide coaching key")
        assert elsewhere.verify(token, now=1e9) == ticket
        assert CoachPasses(b"another key").verify(token, now=1e9) is None
    finally:
        proxy.done()


@pytest.mark.asyncio
async def test_one_anonymous_devices_pass_does_not_wave_other_anonymous_devices_through(
    runtime: RuntimeAddon, policy: PolicyAddon
) -> None:
    """An attack review continued past coaching from one unnamed device; every other unnamed
    device then went through uncoached, on every instance sharing the state."""
    first = Identity("anonymous", client_ip="10.0.0.5")
    second = Identity("anonymous", client_ip="10.0.0.6")
    pipeline = _pipeline(runtime, policy)

    def visit(who: Identity, method: str = "GET", path: str = "/") -> http.HTTPFlow:
        flow = _navigation(runtime, method, path)
        exchange(flow).identity = who
        return flow

    page = await _send(pipeline, visit(first))
    token = re.search(r'name="token" value="([^"]+)"', page.response.text or "")  # type: ignore[union-attr]
    assert token is not None
    form = visit(first, "POST", CONTINUE_PATH)
    form.request.headers["content-type"] = "application/x-www-form-urlencoded"
    body = {"token": token.group(1).replace("&amp;", "&"), "justification": "Public docs."}
    form.request.content = urllib.parse.urlencode(body).encode()
    await _send(pipeline, form)
    assert form.response is not None and form.response.status_code == 303

    assert (await _send(pipeline, visit(first))).response is None  # its own pass holds
    other = await _send(pipeline, visit(second))
    assert other.response is not None and other.response.status_code == 403  # coached itself
    stolen = visit(second, "POST", CONTINUE_PATH)  # and the first device's form is not its own
    stolen.request.headers["content-type"] = "application/x-www-form-urlencoded"
    stolen.request.content = urllib.parse.urlencode(body).encode()
    await _send(pipeline, stolen)
    assert stolen.response is not None and stolen.response.status_code == 400
