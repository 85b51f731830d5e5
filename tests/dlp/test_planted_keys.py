"""A property of the whole inspection path: a key planted anywhere in a JSON body (a value, an
object key, deep in nested arrays), under any schema reader, never leaves with the key intact."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.redactor import redact
from warden.dlp.scanner import Scanner
from warden.dlp.types import RedactionSpec, RedactionStyle
from warden.schemas import parse_request

KEYS = FakeKeys(7)
PLANTED = [
    KEYS.openai(),
    KEYS.anthropic(),
    KEYS.github(),
    KEYS.aws_access_key_id(),
    KEYS.slack_token(),
]
MASK_ALL = RedactionSpec(frozenset({"SECRETS"}), RedactionStyle.MASK)

# Where a body goes decides which schema reader reads it first; the sweep must not care.
ROUTES = [
    ("openai", "/v1/chat/completions"),
    ("openai", "/v1/responses"),
    ("openai", "/v1/embeddings"),
    ("anthropic", "/v1/messages"),
    ("gemini", "/v1beta/models/gemini-2.0-flash:generateContent"),
    ("cohere", "/v2/chat"),
    ("bedrock", "/model/anthropic.claude-3-5-sonnet-20241022-v2:0/converse"),
    ("chatgpt_web", "/backend-api/conversation"),
    ("generic", "/v1/anything"),
]
# Real field names, so the readers' own paths (messages, content, tools...) get exercised.
NAMES = st.sampled_from(
    ["messages", "content", "role", "text", "model", "id", "type", "tools", "function",
     "description", "metadata", "input", "system", "parts", "contents", "name", "data",
     "arguments", "instructions", "prompt", "user", "x"]
)  # fmt: skip
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(["user", "gpt-4o"]),
)
DOCS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NAMES, inner, max_size=4)),
    max_leaves=20,
)


def _slots(doc: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every place a key can be planted: replace a leaf, or add a key to an object."""
    out: list[tuple[tuple, str]] = [(path, "value")]
    if isinstance(doc, dict):
        out.append((path, "key"))
        for name, item in doc.items():
            out += _slots(item, (*path, name))
    elif isinstance(doc, list):
        out.append((path, "append"))
        for index, item in enumerate(doc):
            out += _slots(item, (*path, index))
    return out


def _plant(doc: Any, path: tuple, how: str, text: str) -> Any:
    if not path:
        if how == "key":
            return {**doc, text: 1}
        if how == "append":
            return [*doc, text]
        return text
    head, rest = path[0], path[1:]
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = _plant(doc[head], rest, how, text)
    return copy


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS, route=st.sampled_from(ROUTES), data=st.data())
def test_a_planted_key_never_leaves_intact(
    secrets_scanner: Scanner, doc: Any, route: tuple[str, str], data: st.DataObject
) -> None:
    path, how = data.draw(st.sampled_from(_slots(doc)))
    key = data.draw(st.sampled_from(PLANTED))
    wrapped = data.draw(st.sampled_from(["{}", "use {} now", "{}\n", "[{}]"])).format(key)
    doc = _plant(doc, path, how, key if how == "key" else wrapped)
    body = json.dumps(doc).encode()
    schema, target = route
    request = parse_request(schema, schema, "POST", target, "application/json", body)
    findings = secrets_scanner.scan(request).findings
    out = redact(body, request, findings, [MASK_ALL]).body
    assert key.encode() not in out, (path, how)
    json.loads(out)  # still a JSON body the provider can read
