"""Headers are scanned, but what browsers and SDKs send on every request is no finding: a
finding in a header refuses the request under a redacting rule, so a false one would block
every ChatGPT page or SDK call."""

from __future__ import annotations

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.scanner import Scanner
from warden.schemas.envelope import read_envelope
from warden.schemas.normalized import EndpointKind, NormalizedRequest, render_path

# Shaped like what Chrome on chatgpt.com and the official SDKs send (values made up).
EVERYDAY = [
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
    ),
    ("sec-ch-ua", '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'),
    ("Referer", "https://chatgpt.com/c/6753f0a2-1b2c-8000-9e3f-0a1b2c3d4e5f"),
    ("Origin", "https://chatgpt.com"),
    ("Accept-Language", "en-US,en;q=0.9,de;q=0.8"),
    ("oai-device-id", "0b7d2c1e-8f3a-4e6b-9c2d-1a2b3c4d5e6f"),
    (
        "openai-sentinel-chat-requirements-token",
        "gAAAAABnU_8xQ2w3Ll0kT9vZc4E1rR7pY8uO6iI5aA4sS3dD2fF1gG0hH9jJ8kK7lL6zZ5xX4cC3vV2bB1n",
    ),
    ("baggage", "sentry-environment=prod,sentry-public_key=062f9a1c8e3b4d5f6a7b8c9d0e1f2a3b"),
    ("sentry-trace", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"),
    ("x-stainless-runtime-version", "3.12.1"),
    ("x-stainless-package-version", "1.57.0"),
    ("openai-organization", "org-AbCdEf123456GhIjKl7890"),
    ("anthropic-version", "2023-06-01"),
    ("anthropic-beta", "prompt-caching-2024-07-31,pdfs-2024-09-25"),
    ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ("x-auth-token", FakeKeys(5).jwt()),
]


def _findings(scanner: Scanner, headers: list[tuple[str, str]]) -> list[str]:
    request = NormalizedRequest("x", "x", EndpointKind.CHAT)
    request.other = read_envelope("/backend-api/conversation", headers)
    return [f"{f.entity_type} in {render_path(f.path)}" for f in scanner.scan(request).findings]


def test_everyday_browser_and_sdk_headers_are_no_finding(scanner: Scanner) -> None:
    assert _findings(scanner, EVERYDAY) == []


def test_a_key_or_an_address_in_a_header_is_a_finding(scanner: Scanner) -> None:
    keys = FakeKeys(6)
    found = _findings(
        scanner,
        [
            ("X-Debug-Note", f"key {keys.openai()}"),
            ("X-Upload-Key", keys.private_key()),
            ("X-User", "dana.whitfield@example.com"),
        ],
    )
    assert [f.split(" ")[0] for f in found] == ["OPENAI_API_KEY", "PRIVATE_KEY", "EMAIL_ADDRESS"]


def test_a_providers_own_key_in_its_query_is_no_finding_but_another_is(scanner: Scanner):
    keys = FakeKeys(8)
    google, openai_key = keys.google(), keys.openai()
    while not google.startswith("AIza"):
        google = keys.google()
    own = f"/v1beta/models/gemini-2.0-flash:generateContent?key={google}"
    foreign = f"/v1beta/models/gemini-2.0-flash:generateContent?key={openai_key}"
    for target, expected in ((own, []), (foreign, ["OPENAI_API_KEY"])):
        request = NormalizedRequest("gemini-api", "gemini", EndpointKind.CHAT)
        request.other = read_envelope(target, [], "gemini")
        assert [f.entity_type for f in scanner.scan(request).findings] == expected
    # The same Google key to another provider's query is a leak.
    request = NormalizedRequest("openai", "openai", EndpointKind.CHAT)
    request.other = read_envelope(f"/v1/chat/completions?key={google}", [], "openai")
    assert [f.entity_type for f in scanner.scan(request).findings] == ["GOOGLE_API_KEY"]


def test_credential_headers_report_keys_of_other_services_only(scanner: Scanner):
    keys = FakeKeys(9)
    own, github = keys.openai(), keys.github()
    request = NormalizedRequest("openai", "openai", EndpointKind.CHAT)
    request.other = read_envelope(
        "/v1/chat/completions",
        [
            ("Authorization", f"Bearer {own}"),
            ("Cookie", "session=eyJhbGciOiJIUzI1NiJ9.e30.abc; email=dana.whitfield@example.com"),
            ("x-api-key", github),
            (github, "1"),  # the header's name is the key
        ],
        "openai",
    )
    found = [(f.entity_type, render_path(f.path)) for f in scanner.scan(request).findings]
    assert [t for t, _ in found] == ["GITHUB_TOKEN", "GITHUB_TOKEN"]


def test_identifiers_are_still_searched_for_keys_numbers_and_addresses(scanner: Scanner):
    """An AWS key behind an id prefix, a card number as an id, an SSN in an enum field, a
    card in a model name: found, since identifiers are scanned for patterns (not names)."""
    import json

    from warden.schemas import parse_request

    aws = FakeKeys(10).aws_access_key_id()
    body = {
        "model": "gpt-4o:4539148803436467",
        "messages": [{"role": "tool", "tool_call_id": f"call_{aws}", "content": "ok"}],
        "metadata": {"order_id": "4539148803436467", "user_id": "msg_x"},
        "detail": "536-22-8726",
    }
    request = parse_request(
        "openai", "openai", "POST", "/v1/chat/completions", None, json.dumps(body).encode()
    )
    found = {(render_path(f.path), f.entity_type) for f in scanner.scan(request).findings}
    assert ("messages[0].tool_call_id", "AWS_ACCESS_KEY_ID") in found
    assert ("metadata.order_id", "CREDIT_CARD") in found
    assert ("model", "CREDIT_CARD") in found
    assert ("detail", "US_SSN") in found
