"""The one place a request is refused: the client's reply in its provider's format, the record
with the stage that refused, and the quota reservation given back."""

from __future__ import annotations

from mitmproxy.proxy.layers import http as http_layer
from mitmproxy.test import tflow

from addons.exchange import exchange
from addons.pipeline import WardenPipeline
from addons.refuse import Departure, refuse
from warden.catalog import Catalog
from warden.policy.counters import InMemoryCounters
from warden.policy.quotas import QuotaReservation
from warden.refusal import Refusal, Stage

assert http_layer.HttpRequestHook.name == "request"  # registered: the pipeline dispatches it


def _flow(host: str = "api.openai.com"):  # type: ignore[no-untyped-def]
    flow = tflow.tflow()
    flow.request.host = host
    exchange(flow).app = Catalog.default().lookup(host)
    return flow


def _reserved(counters: InMemoryCounters) -> QuotaReservation:
    counters.add("alice:requests", 0.0, 1, 60.0)
    return QuotaReservation(counters, (("alice:requests", 0.0, 1, 60.0),))


def test_a_refusal_answers_in_the_providers_format_and_is_recorded_with_its_stage() -> None:
    flow = _flow("api.anthropic.com")
    refusal = Refusal(Stage.REDACT, 403, "cannot_redact", "EMAIL in a file", "Remove it.")
    refuse(flow, refusal)
    assert flow.response is not None and flow.response.status_code == 403
    body = flow.response.json()
    assert body["type"] == "error" and body["error"]["message"] == "Remove it."  # Anthropic's
    assert exchange(flow).refusal is refusal
    assert refusal.record() == {
        "stage": "redact",
        "status": 403,
        "code": "cannot_redact",
        "reason": "EMAIL in a file",
    }


def test_a_policy_block_names_its_rule() -> None:
    flow = _flow()
    refuse(flow, Refusal(Stage.POLICY, 403, "blocked_by_policy", "No GPT-5.", rule_id="no-gpt5"))
    assert flow.response is not None
    assert flow.response.headers["X-Warden-Rule"] == "no-gpt5"
    assert flow.response.json()["error"]["message"] == "No GPT-5."


def test_a_refusal_after_the_policy_gives_the_quota_back_and_keeps_the_first_reason() -> None:
    counters = InMemoryCounters()
    flow = _flow()
    exchange(flow).reservation = _reserved(counters)
    refuse(flow, Refusal(Stage.AUDIT, 503, "audit_store_unavailable", "disk gone"))
    refuse(flow, Refusal(Stage.PIPELINE, 503, "warden_internal_error", "later"))
    assert counters.get("alice:requests", 0.0) == 0
    assert exchange(flow).refusal is not None and exchange(flow).refusal.stage is Stage.AUDIT


def test_a_stage_that_returns_a_refusal_stops_the_request_and_what_leaves_keeps_its_quota() -> None:
    class Refuses:
        def request(self, flow) -> Refusal:  # type: ignore[no-untyped-def]
            return Refusal(Stage.INSPECT, 400, "malformed_body", "not JSON")

    class Later:
        seen = False

        def request(self, flow) -> None:  # type: ignore[no-untyped-def]
            Later.seen = flow.response is not None

    counters = InMemoryCounters()
    refused = _flow()
    exchange(refused).reservation = _reserved(counters)
    WardenPipeline([Refuses(), Later(), Departure()]).request(refused)
    assert refused.response is not None and refused.response.status_code == 400
    assert Later.seen, "later stages see the request already answered"
    assert counters.get("alice:requests", 0.0) == 0
    forwarded = _flow()
    exchange(forwarded).reservation = _reserved(counters)
    WardenPipeline([Later(), Departure()]).request(forwarded)
    exchange(forwarded).reservation.release()  # too late: it has left
    assert forwarded.response is None and counters.get("alice:requests", 0.0) == 1
