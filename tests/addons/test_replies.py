"""addons/replies.py: Warden's own answers reach people in a form they can read: an HTML page
for a browser navigating to the page, the provider's JSON error for SDKs and the web app's
scripts."""

from __future__ import annotations

import pytest
from mitmproxy import http
from mitmproxy.test import tflow

from addons.exchange import exchange
from addons.refuse import refuse
from addons.replies import is_browser_navigation, schema_of, to_response
from warden.catalog import Catalog
from warden.refusal import Refusal, Stage
from warden.replies import error_reply

CATALOG = Catalog.default()
REFUSAL = Refusal(
    Stage.REDACT, 403, "cannot_redact", "EMAIL in a file", "Remove <the> e-mail address."
)


def _to(host: str, **headers: str) -> http.HTTPFlow:
    flow = tflow.tflow()
    flow.request.host = host
    for name, value in headers.items():
        flow.request.headers[name.replace("_", "-")] = value
    exchange(flow).app = CATALOG.lookup(host)
    return flow


@pytest.mark.parametrize(
    ("headers", "navigation"),
    [
        ({"accept": "text/html,application/xhtml+xml", "sec_fetch_dest": "document"}, True),
        ({"accept": "text/html", "sec_fetch_dest": "iframe"}, True),
        ({"accept": "text/html,*/*"}, True),  # a browser too old to send Sec-Fetch-Dest
        ({"accept": "text/html,*/*", "sec_fetch_dest": "empty"}, False),  # the page's fetch()
        ({"accept": "application/json"}, False),  # an SDK
        ({}, False),  # curl
    ],
)
def test_a_browser_navigation_is_told_from_a_script_or_sdk(
    headers: dict[str, str], navigation: bool
) -> None:
    assert is_browser_navigation(_to("chatgpt.com", **headers)) is navigation


def test_a_browser_navigating_gets_a_page_with_the_message() -> None:
    flow = _to("chatgpt.com", accept="text/html", sec_fetch_dest="document")
    refuse(flow, REFUSAL)
    assert flow.response is not None and flow.response.status_code == 403
    assert flow.response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = flow.response.text or ""
    assert "Remove &lt;the&gt; e-mail address." in page  # escaped, never markup from a message
    assert "Nothing you typed was sent to the AI service." in page


@pytest.mark.parametrize(
    ("host", "message_of"),
    [
        ("chatgpt.com", lambda body: body["detail"]),  # the web app's own scripts
        ("api.anthropic.com", lambda body: body["error"]["message"]),
        ("api.openai.com", lambda body: body["error"]["message"]),
    ],
)
def test_sdks_and_scripts_get_json_in_the_providers_format(host: str, message_of) -> None:
    flow = _to(host, accept="application/json")
    refuse(flow, REFUSAL)
    assert flow.response is not None
    assert flow.response.headers["Content-Type"] == "application/json"
    assert message_of(flow.response.json()) == "Remove <the> e-mail address."


def test_a_host_warden_does_not_know_gets_the_generic_format() -> None:
    flow = _to("intranet.example.com")
    assert schema_of(flow) == "generic"
    assert schema_of(_to("api.anthropic.com")) == "anthropic"


def test_a_reply_becomes_a_response_with_its_status_body_and_headers() -> None:
    reply = error_reply(
        "openai", 429, "Slow down.", "quota_exceeded", extra_headers={"Retry-After": "7"}
    )
    response = to_response(reply)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["X-Warden-Error"] == "quota_exceeded"
    assert response.content == reply.body
