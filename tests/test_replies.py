"""Block and error answers come in the provider's own format so SDKs show the reason."""

from __future__ import annotations

import json

import pytest

from warden.replies import block_reply, error_reply, wants_html


@pytest.mark.parametrize(
    ("schema", "message_path"),
    [
        ("openai", ("error", "message")),
        ("anthropic", ("error", "message")),
        ("gemini", ("error", "message")),
        ("bedrock", ("message",)),
        ("cohere", ("message",)),
        ("chatgpt_web", ("detail",)),
        ("generic", ("error", "message")),
    ],
)
def test_block_reply_carries_the_reason_where_each_provider_puts_errors(schema, message_path):
    reply = block_reply(schema, "Model gpt-5 is not approved", "no-gpt5")
    assert reply.status == 403
    body = json.loads(reply.body)
    for key in message_path:
        body = body[key]
    assert body == "Model gpt-5 is not approved"
    assert reply.headers["X-Warden-Rule"] == "no-gpt5"


def test_anthropic_error_has_the_envelope_the_sdk_expects():
    body = json.loads(error_reply("anthropic", 413, "too big", "body_too_large").body)
    assert body == {"type": "error", "error": {"type": "request_too_large", "message": "too big"}}


def test_browser_gets_a_readable_page_with_the_reason_escaped():
    reply = block_reply("chatgpt_web", "No <customer> data", None, html_page=True)
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"No &lt;customer&gt; data" in reply.body


@pytest.mark.parametrize(
    ("accept", "dest", "expected"),
    [
        ("text/html,application/xhtml+xml", None, True),
        ("application/json", None, False),
        (None, None, False),
        ("*/*", "document", True),
        ("text/html", "empty", False),  # fetch() from a page: the page renders the JSON error
    ],
)
def test_wants_html_only_for_page_navigations(accept, dest, expected):
    assert wants_html(accept, dest) is expected
