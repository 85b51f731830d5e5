from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from warden.schemas import EndpointKind, NormalizedRequest, parse_request

Segs = list[tuple[tuple[str | int, ...], str]]


@dataclass(frozen=True)
class Case:
    path: str
    body: Any  # None: no body at all
    schema: str
    endpoint: EndpointKind
    segments: Segs
    model: str | None = None
    stream: bool = False


def parse(
    path: str, body: Any, provider: str = "openai", method: str = "POST"
) -> NormalizedRequest:
    raw = b"" if body is None else json.dumps(body).encode()
    return parse_request("openai", provider, method, path, "application/json", raw)


CHAT = {
    "model": "gpt-4o",
    "stream": True,
    "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_abc123",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_abc123", "content": "18C and sunny"},
        {"role": "user", "name": "alice", "content": ""},
    ],
    "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}],
}
CHAT_SEGMENTS: Segs = [
    (("messages", 0, "content"), "You are a helpful assistant."),
    (("messages", 1, "content", 0, "text"), "What is in this image?"),
    (("messages", 2, "tool_calls", 0, "function", "arguments"), '{"city": "Paris"}'),
    (("messages", 3, "content"), "18C and sunny"),
]
SIMPLE_CHAT = {"messages": [{"role": "user", "content": "Hello"}]}

RESPONSES = {
    "model": "gpt-4.1",
    "instructions": "Answer in French.",
    "stream": True,
    "input": [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Summarise this chart"},
                {"type": "input_image", "image_url": "https://example.com/chart.png"},
            ],
        },
        {"type": "function_call", "call_id": "call_1", "name": "lookup", "arguments": '{"q": "x"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "lookup result"},
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Earlier answer"}],
        },
        {"type": "reasoning", "id": "rs_1", "summary": []},
    ],
}
RESPONSES_SEGMENTS: Segs = [
    (("instructions",), "Answer in French."),
    (("input", 0, "content", 0, "text"), "Summarise this chart"),
    (("input", 1, "arguments"), '{"q": "x"}'),
    (("input", 2, "output"), "lookup result"),
    (("input", 3, "content", 0, "text"), "Earlier answer"),
]

CASES = [
    pytest.param(
        Case(
            path="/v1/chat/completions",
            body=CHAT,
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="gpt-4o",
            stream=True,
            segments=CHAT_SEGMENTS,
        ),
        id="chat",
    ),
    pytest.param(
        Case(
            path="/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21",
            body=SIMPLE_CHAT,
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="my-gpt4o",
            segments=[(("messages", 0, "content"), "Hello")],
        ),
        id="azure-deployment-names-the-model",
    ),
    pytest.param(
        Case(
            path="/openai/deployments/my-gpt4o/chat/completions",
            body={**SIMPLE_CHAT, "model": "gpt-4o-mini"},
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="gpt-4o-mini",
            segments=[(("messages", 0, "content"), "Hello")],
        ),
        id="azure-body-model-wins",
    ),
    pytest.param(
        Case(
            path="/api/v1/chat/completions",
            body={**SIMPLE_CHAT, "model": "anthropic/claude-3.5-sonnet"},
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="anthropic/claude-3.5-sonnet",
            segments=[(("messages", 0, "content"), "Hello")],
        ),
        id="openrouter-prefix",
    ),
    pytest.param(
        Case(
            path="/inference/v1/chat/completions",
            body={**SIMPLE_CHAT, "model": "accounts/fireworks/models/llama-v3p1-8b-instruct"},
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="accounts/fireworks/models/llama-v3p1-8b-instruct",
            segments=[(("messages", 0, "content"), "Hello")],
        ),
        id="fireworks-prefix",
    ),
    pytest.param(
        Case(
            path="/v1//chat/completions/",
            body=SIMPLE_CHAT,
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            segments=[(("messages", 0, "content"), "Hello")],
        ),
        id="stray-slashes-do-not-dodge-the-route",
    ),
    pytest.param(
        Case(
            path="/v1/responses",
            body=RESPONSES,
            schema="openai.responses",
            endpoint=EndpointKind.CHAT,
            model="gpt-4.1",
            stream=True,
            segments=RESPONSES_SEGMENTS,
        ),
        id="responses-items",
    ),
    pytest.param(
        Case(
            path="/v1/responses",
            body={"model": "gpt-4.1-mini", "input": "Tell me a joke"},
            schema="openai.responses",
            endpoint=EndpointKind.CHAT,
            model="gpt-4.1-mini",
            segments=[(("input",), "Tell me a joke")],
        ),
        id="responses-string-input",
    ),
    pytest.param(
        Case(
            path="/v1/completions",
            body={
                "model": "gpt-3.5-turbo-instruct",
                "prompt": ["Say this is a test", "And this"],
                "suffix": "The end.",
                "max_tokens": 7,
            },
            schema="openai.completions",
            endpoint=EndpointKind.COMPLETION,
            model="gpt-3.5-turbo-instruct",
            segments=[
                (("prompt", 0), "Say this is a test"),
                (("prompt", 1), "And this"),
                (("suffix",), "The end."),
            ],
        ),
        id="completions",
    ),
    pytest.param(
        Case(
            path="/v1/embeddings",
            body={
                "model": "text-embedding-3-small",
                "input": ["first doc", "second doc"],
                "encoding_format": "float",
            },
            schema="openai.embeddings",
            endpoint=EndpointKind.EMBEDDING,
            model="text-embedding-3-small",
            segments=[(("input", 0), "first doc"), (("input", 1), "second doc")],
        ),
        id="embeddings",
    ),
    pytest.param(
        Case(
            path="/v1/embeddings",
            body={"model": "text-embedding-3-small", "input": [[1917, 374], [40, 1097]]},
            schema="openai.embeddings",
            endpoint=EndpointKind.EMBEDDING,
            model="text-embedding-3-small",
            segments=[],
        ),
        id="embeddings-token-ids-carry-no-text",
    ),
    pytest.param(
        Case(
            path="/v1/images/generations",
            body={
                "model": "gpt-image-1",
                "prompt": "A cat in a top hat",
                "size": "1024x1024",
                "n": 1,
            },
            schema="openai.images",
            endpoint=EndpointKind.IMAGE,
            model="gpt-image-1",
            segments=[(("prompt",), "A cat in a top hat")],
        ),
        id="image-generation",
    ),
    pytest.param(
        Case(
            path="/v1/audio/speech",
            body={
                "model": "gpt-4o-mini-tts",
                "input": "Hello there",
                "voice": "alloy",
                "instructions": "Speak cheerfully",
            },
            schema="openai.speech",
            endpoint=EndpointKind.AUDIO,
            model="gpt-4o-mini-tts",
            segments=[(("input",), "Hello there"), (("instructions",), "Speak cheerfully")],
        ),
        id="speech",
    ),
    pytest.param(
        Case(
            path="/v1/moderations",
            body={
                "model": "omni-moderation-latest",
                "input": [
                    {"type": "text", "text": "is this allowed?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                ],
            },
            schema="openai.moderations",
            endpoint=EndpointKind.OTHER,
            model="omni-moderation-latest",
            segments=[(("input", 0, "text"), "is this allowed?")],
        ),
        id="moderations",
    ),
    pytest.param(
        Case(
            path="/v1/uploads",
            body={
                "purpose": "fine-tune",
                "filename": "training.jsonl",
                "bytes": 2147,
                "mime_type": "text/jsonl",
            },
            schema="openai.files",
            endpoint=EndpointKind.FILE_UPLOAD,
            segments=[
                (("purpose",), "fine-tune"),
                (("filename",), "training.jsonl"),
            ],
        ),
        id="create-upload",
    ),
    pytest.param(
        Case(
            path="/v1/threads/thread_abc/messages",
            body={"role": "user", "content": "Hi assistant"},
            schema="openai.other",
            endpoint=EndpointKind.OTHER,
            segments=[(("content",), "Hi assistant")],
        ),
        id="unknown-path-walks-everything",
    ),
    pytest.param(
        Case(
            path="/v1/models",
            body=None,
            schema="openai.models",
            endpoint=EndpointKind.OTHER,
            segments=[],
        ),
        id="list-models-empty-body",
    ),
    pytest.param(
        Case(
            path="/v1/files/file-abc/content",
            body=None,
            schema="openai.files",
            endpoint=EndpointKind.FILE_UPLOAD,
            segments=[],
        ),
        id="file-content-empty-body",
    ),
    pytest.param(
        Case(
            path="/v1/realtime?model=gpt-4o-realtime-preview",
            body=None,
            schema="openai.realtime",
            endpoint=EndpointKind.REALTIME,
            model="gpt-4o-realtime-preview",
            segments=[],
        ),
        id="realtime-query-model",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_openai_request_reads_endpoint_model_stream_and_text(case: Case) -> None:
    request = parse(case.path, case.body)
    assert request.provider == "openai"
    assert request.schema == case.schema
    assert request.endpoint is case.endpoint
    assert request.model == case.model
    assert request.stream is case.stream
    assert [(s.path, s.text) for s in request.segments] == case.segments
    assert request.body_format == ("empty" if case.body is None else "json")


def test_chat_segments_keep_the_message_role() -> None:
    request = parse("/v1/chat/completions", CHAT)
    assert [s.role for s in request.segments] == ["system", "user", "assistant", "tool"]


def test_responses_segments_carry_roles_for_instructions_and_tool_output() -> None:
    request = parse("/v1/responses", RESPONSES)
    assert [s.role for s in request.segments] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]


def test_other_openai_compatible_providers_keep_their_own_provider_id() -> None:
    request = parse(
        "/openai/v1/chat/completions", {**SIMPLE_CHAT, "model": "llama-3.3-70b"}, "groq"
    )
    assert (request.provider, request.schema, request.model) == (
        "groq",
        "openai.chat",
        "llama-3.3-70b",
    )
