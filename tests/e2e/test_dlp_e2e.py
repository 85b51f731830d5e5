"""DLP through the real proxy with the official SDKs: what reaches the provider holds no
seeded secret or personal data, the SDK still gets a valid answer, and reversible
placeholders come back as the original values, streamed or not."""

from __future__ import annotations

import json

import anthropic
import openai
import pytest

from tests.dlp.fake_keys import FakeKeys
from tests.e2e.conftest import StartWarden, Warden
from tests.support import MockProviders
from warden.dlp.recognizers.github import base62_crc32

pytestmark = pytest.mark.e2e

KEYS = FakeKeys(81)
SECRETS = {
    "OPENAI_API_KEY": KEYS.openai(),
    "GITHUB_TOKEN": KEYS.github(),
    "AWS_ACCESS_KEY_ID": KEYS.aws_access_key_id(),
    "STRIPE_KEY": KEYS.stripe(),
}
PII = {
    "EMAIL": "dana.whitfield@example.com",
    "PHONE": "+1 415-555-0132",
    "SSN": "536-22-8726",
    "CARD": "4539 1488 0343 6467",
    "IBAN": "DE89 3704 0044 0532 0130 00",
}
PROMPT = (
    "Dear Dana Whitfield, your account is ready. Write to "
    + PII["EMAIL"]
    + " or call "
    + PII["PHONE"]
    + ". SSN "
    + PII["SSN"]
    + ", card "
    + PII["CARD"]
    + ", IBAN "
    + PII["IBAN"]
    + ". Deploy keys: "
    + " ".join(SECRETS.values())
)

POLICY = """
version: 1
name: dlp-e2e
default_action: monitor
rules:
  - id: redact-all
    match: {dlp: {entities: [ALL]}}
    action: redact
    redact:
      - {entities: [SECRETS], style: mask}
      - {entities: [PII], style: placeholder, reversible: true}
"""

# A forward-only policy: nothing comes back, to check masking alone.
MASK_POLICY = """
version: 1
name: dlp-e2e-mask
rules:
  - id: mask-all
    match: {dlp: {entities: [ALL]}}
    action: redact
    redact: [{entities: [ALL], style: mask}]
"""


@pytest.fixture(scope="module")
def shared_warden(start_shared_warden: StartWarden) -> Warden:
    """One Warden for the module's tests (the `warden` fixture hands it to each)."""
    return start_shared_warden(policy=POLICY)


def _openai(warden: Warden) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test-" + "a" * 40, http_client=warden.client(), max_retries=0)


def _anthropic(warden: Warden) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key="sk-ant-test", http_client=anthropic.DefaultHttpxClient(
            proxy=warden.url, verify=str(warden.ca), trust_env=False
        ), max_retries=0,
    )  # fmt: skip


def _assert_nothing_seeded_left(mock: MockProviders, host: str) -> str:
    [upstream] = mock.requests_to(host)
    body = upstream.body.decode()
    leaked = [name for name, value in {**SECRETS, **PII}.items() if value in body]
    assert not leaked, f"reached {host}: {leaked}"
    assert "Dana Whitfield" not in body
    return body


def _assert_restored(reply: str) -> None:
    for name, value in PII.items():
        assert value in reply, f"{name} not restored"
    assert "Dana Whitfield" in reply
    assert "[REDACTED:OPENAI_API_KEY]" in reply
    for value in SECRETS.values():
        assert value not in reply


def test_openai_chat_is_redacted_upstream_and_restored_for_the_sdk(warden: Warden, mock):
    reply = _openai(warden).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}]
    )
    body = _assert_nothing_seeded_left(mock, "api.openai.com")
    assert "<EMAIL_1>" in body and "[REDACTED:GITHUB_TOKEN]" in body
    assert json.loads(body)["model"] == "gpt-4o-mini"
    _assert_restored(reply.choices[0].message.content or "")


def test_openai_streamed_answer_is_restored(warden: Warden, mock):
    stream = _openai(warden).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    _assert_nothing_seeded_left(mock, "api.openai.com")
    _assert_restored(text)


def test_anthropic_messages_plain_and_streamed(warden: Warden, mock):
    client = _anthropic(warden)
    reply = client.messages.create(
        model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": PROMPT}]
    )
    _assert_nothing_seeded_left(mock, "api.anthropic.com")
    _assert_restored(reply.content[0].text)  # type: ignore[union-attr]

    mock.clear()
    with client.messages.stream(
        model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": PROMPT}]
    ) as stream:
        text = "".join(stream.text_stream)
    _assert_nothing_seeded_left(mock, "api.anthropic.com")
    _assert_restored(text)


def test_audit_record_and_log_hold_counts_not_values(warden: Warden, mock):
    _openai(warden).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}]
    )
    [event] = [e for e in warden.events() if e.get("type") == "request"]
    redaction = event["redaction"]
    if isinstance(redaction, str):
        redaction = json.loads(redaction)
    assert redaction["by_type"]["OPENAI_API_KEY"] == 1
    stored = json.dumps(event, default=str)
    assert not [v for v in (*SECRETS.values(), *PII.values()) if v in stored]
    log = warden.log()
    assert not [v for v in (*SECRETS.values(), *PII.values()) if v in log]


def test_mask_only_policy_sends_masks_and_the_answer_keeps_them(start_warden: StartWarden, mock):
    mock.clear()
    warden = start_warden(policy=MASK_POLICY)
    reply = _openai(warden).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}]
    )
    body = _assert_nothing_seeded_left(mock, "api.openai.com")
    assert "[REDACTED:EMAIL_ADDRESS]" in body
    assert "[REDACTED:EMAIL_ADDRESS]" in (reply.choices[0].message.content or "")


def test_a_scan_over_its_budget_is_refused_with_the_providers_error(
    start_warden: StartWarden, mock
):
    mock.clear()
    warden = start_warden(policy=POLICY + "dlp: {timeout_ms: 1}\n")
    with pytest.raises(openai.InternalServerError) as raised:
        _openai(warden).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT * 400}]
        )
    assert raised.value.status_code == 503
    assert "could not check this request" in str(raised.value)
    assert mock.requests_to("api.openai.com") == []


def test_a_token_in_a_git_url_leaves_masked_and_is_not_put_back(warden: Warden, mock):
    """A token before "@github.com" also reads as an e-mail address; it must leave as the
    secret it is, masked, and the answer must not get it back as a restored placeholder."""
    body = "Yk3mR8qT2vN6wZ1pL5xC9bF4hJ7dS0"
    token = f"ghp_{body}{base62_crc32(body)}"
    prompt = f"git clone https://{token}@github.com/org/repo fails, ask {PII['EMAIL']}"
    reply = _openai(warden).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
    )
    [upstream] = mock.requests_to("api.openai.com")
    sent = upstream.body.decode()
    assert token not in sent
    assert "https://[REDACTED:GITHUB_TOKEN]@github.com/org/repo" in sent
    assert "<EMAIL_1>" in sent and PII["EMAIL"] not in sent
    answer = reply.choices[0].message.content or ""
    assert token not in answer
    assert "https://[REDACTED:GITHUB_TOKEN]@github.com/org/repo" in answer
    assert PII["EMAIL"] in answer  # personal data still comes back


def test_a_rule_on_secrets_fires_for_a_password_in_a_database_url(start_warden: StartWarden, mock):
    """The password before "@db.acme-corp.io" is URL_CREDENTIALS, so a [SECRETS] rule sees it."""
    mock.clear()
    warden = start_warden(
        policy="version: 1\ndefault_action: allow\nrules:\n"
        "  - {id: no-secrets, match: {dlp: {entities: [SECRETS]}}, action: block,\n"
        "     message: 'No credentials to AI services.'}\n"
    )
    prompt = "why does postgresql+psycopg2://app:Vq8-Lorn-Tansy31@db.acme-corp.io/prod time out?"
    with pytest.raises(openai.PermissionDeniedError) as raised:
        _openai(warden).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
        )
    assert "No credentials to AI services." in str(raised.value)
    assert mock.requests_to("api.openai.com") == []
