from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from warden.schemas import EndpointKind, parse_request

Segs = list[tuple[tuple[str | int, ...], str]]


@dataclass(frozen=True)
class Case:
    family: str  # the catalog's schema family
    path: str
    body: Any  # None: no body at all
    schema: str
    endpoint: EndpointKind
    segments: Segs
    model: str | None = None
    stream: bool = False


ANTHROPIC_MESSAGES = {
    "model": "claude-sonnet-4-20250514",
    "max_tokens": 1024,
    "stream": True,
    "system": [
        {
            "type": "text",
            "text": "You are a contracts lawyer.",
            "cache_control": {"type": "ephemeral"},
        }
    ],
    "messages": [
        {"role": "user", "content": "Review this clause."},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me search for it."},
                {
                    "type": "tool_use",
                    "id": "toolu_01A",
                    "name": "search",
                    "input": {"query": "indemnity clause", "limit": 3},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01A",
                    "content": [{"type": "text", "text": "Clause 7.2 limits liability."}],
                },
                {"type": "text", "text": "Thanks"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0K"},
                },
                {
                    "type": "document",
                    "source": {"type": "text", "media_type": "text/plain", "data": "Annex A"},
                },
            ],
        },
    ],
}
ANTHROPIC_SEGMENTS: Segs = [
    (("system", 0, "text"), "You are a contracts lawyer."),
    (("messages", 0, "content"), "Review this clause."),
    (("messages", 1, "content", 0, "text"), "Let me search for it."),
    (("messages", 1, "content", 1, "input", "query"), "indemnity clause"),
    (("messages", 2, "content", 0, "content", 0, "text"), "Clause 7.2 limits liability."),
    (("messages", 2, "content", 1, "text"), "Thanks"),
    (("messages", 2, "content", 3, "source", "data"), "Annex A"),
]

GEMINI_GENERATE = {
    "contents": [
        {
            "role": "user",
            "parts": [
                {"text": "Describe this photo"},
                {"inline_data": {"mime_type": "image/jpeg", "data": "/9j/4AAQ"}},
            ],
        },
        {
            "role": "model",
            "parts": [{"functionCall": {"name": "get_time", "args": {"tz": "Europe/Paris"}}}],
        },
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "get_time", "response": {"time": "10:00"}}}],
        },
    ],
    "systemInstruction": {"parts": [{"text": "You are terse."}]},
    "generationConfig": {"temperature": 0.2, "responseMimeType": "text/plain"},
}
GEMINI_SEGMENTS: Segs = [
    (("contents", 0, "parts", 0, "text"), "Describe this photo"),
    (("contents", 1, "parts", 0, "functionCall", "args", "tz"), "Europe/Paris"),
    (("contents", 2, "parts", 0, "functionResponse", "response", "time"), "10:00"),
    (("systemInstruction", "parts", 0, "text"), "You are terse."),
]
VERTEX_GENERATE = {
    "contents": [{"role": "user", "parts": [{"text": "Hi Gemini"}]}],
    "system_instruction": {"parts": [{"text": "Be brief."}]},
}

BEDROCK_CONVERSE = {
    "system": [{"text": "Be exact."}],
    "messages": [
        {
            "role": "user",
            "content": [
                {"text": "What is 2+2?"},
                {"image": {"format": "png", "source": {"bytes": "iVBORw0K"}}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"toolUse": {"toolUseId": "t1", "name": "calc", "input": {"expression": "2+2"}}}
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "toolResult": {
                        "toolUseId": "t1",
                        "content": [{"text": "4"}, {"json": {"spelled": "four"}}],
                    }
                }
            ],
        },
    ],
    "inferenceConfig": {"maxTokens": 512, "temperature": 0},
}
BEDROCK_CONVERSE_SEGMENTS: Segs = [
    (("system", 0, "text"), "Be exact."),
    (("messages", 0, "content", 0, "text"), "What is 2+2?"),
    (("messages", 1, "content", 0, "toolUse", "input", "expression"), "2+2"),
    (("messages", 2, "content", 0, "toolResult", "content", 0, "text"), "4"),
    (("messages", 2, "content", 0, "toolResult", "content", 1, "json", "spelled"), "four"),
]
HI = [{"role": "user", "content": "Hi"}]

CASES = [
    # Anthropic
    pytest.param(
        Case(
            family="anthropic",
            path="/v1/messages",
            body=ANTHROPIC_MESSAGES,
            schema="anthropic.messages",
            endpoint=EndpointKind.CHAT,
            model="claude-sonnet-4-20250514",
            stream=True,
            segments=ANTHROPIC_SEGMENTS,
        ),
        id="anthropic-messages",
    ),
    pytest.param(
        Case(
            family="anthropic",
            path="/v1/messages/count_tokens",
            body={"model": "claude-3-5-haiku-latest", "system": "Be brief.", "messages": HI},
            schema="anthropic.count_tokens",
            endpoint=EndpointKind.OTHER,
            model="claude-3-5-haiku-latest",
            segments=[(("system",), "Be brief."), (("messages", 0, "content"), "Hi")],
        ),
        id="anthropic-count-tokens",
    ),
    pytest.param(
        Case(
            family="anthropic",
            path="/v1/complete",
            body={
                "model": "claude-2.1",
                "prompt": "\n\nHuman: Hello\n\nAssistant:",
                "max_tokens_to_sample": 256,
            },
            schema="anthropic.complete",
            endpoint=EndpointKind.COMPLETION,
            model="claude-2.1",
            segments=[(("prompt",), "\n\nHuman: Hello\n\nAssistant:")],
        ),
        id="anthropic-complete",
    ),
    pytest.param(
        Case(
            family="anthropic",
            path="/v1/messages/batches",
            body={
                "requests": [
                    {
                        "custom_id": "req-1",
                        "params": {"model": "claude-3-5-haiku-latest", "messages": HI},
                    }
                ]
            },
            schema="anthropic.other",
            endpoint=EndpointKind.OTHER,
            segments=[
                (("requests", 0, "custom_id"), "req-1"),
                (("requests", 0, "params", "messages", 0, "content"), "Hi"),
            ],
        ),
        id="anthropic-other-walks-everything",
    ),
    # Gemini
    pytest.param(
        Case(
            family="gemini",
            path="/v1beta/models/gemini-2.0-flash:generateContent",
            body=GEMINI_GENERATE,
            schema="gemini.generate",
            endpoint=EndpointKind.CHAT,
            model="gemini-2.0-flash",
            segments=GEMINI_SEGMENTS,
        ),
        id="gemini-generate",
    ),
    pytest.param(
        Case(
            family="gemini",
            path="/v1/projects/acme/locations/us-central1/publishers/google/models/"
            "gemini-1.5-pro:streamGenerateContent?alt=sse",
            body=VERTEX_GENERATE,
            schema="gemini.generate",
            endpoint=EndpointKind.CHAT,
            model="gemini-1.5-pro",
            stream=True,
            segments=[
                (("contents", 0, "parts", 0, "text"), "Hi Gemini"),
                (("system_instruction", "parts", 0, "text"), "Be brief."),
            ],
        ),
        id="vertex-stream-generate",
    ),
    pytest.param(
        Case(
            family="gemini",
            path="/v1beta/models/text-embedding-004:embedContent",
            body={
                "model": "models/text-embedding-004",
                "content": {"parts": [{"text": "Hello world"}]},
            },
            schema="gemini.embed",
            endpoint=EndpointKind.EMBEDDING,
            model="text-embedding-004",
            segments=[(("content", "parts", 0, "text"), "Hello world")],
        ),
        id="gemini-embed",
    ),
    pytest.param(
        Case(
            family="gemini",
            path="/v1beta/models/text-embedding-004:batchEmbedContents",
            body={
                "requests": [
                    {"model": "models/text-embedding-004", "content": {"parts": [{"text": "a"}]}},
                    {"model": "models/text-embedding-004", "content": {"parts": [{"text": "b"}]}},
                ]
            },
            schema="gemini.embed",
            endpoint=EndpointKind.EMBEDDING,
            model="text-embedding-004",
            segments=[
                (("requests", 0, "content", "parts", 0, "text"), "a"),
                (("requests", 1, "content", "parts", 0, "text"), "b"),
            ],
        ),
        id="gemini-batch-embed",
    ),
    pytest.param(
        Case(
            family="gemini",
            path="/v1beta/models/gemini-1.5-flash:countTokens",
            body={"contents": [{"parts": [{"text": "How many tokens?"}]}]},
            schema="gemini.count_tokens",
            endpoint=EndpointKind.OTHER,
            model="gemini-1.5-flash",
            segments=[(("contents", 0, "parts", 0, "text"), "How many tokens?")],
        ),
        id="gemini-count-tokens",
    ),
    pytest.param(
        Case(
            family="gemini",
            path="/v1/projects/acme/locations/us-east5/publishers/anthropic/models/"
            "claude-3-5-sonnet-v2@20241022:streamRawPredict",
            body={
                "anthropic_version": "vertex-2023-10-16",
                "max_tokens": 100,
                "stream": True,
                "messages": HI,
            },
            schema="anthropic.messages",
            endpoint=EndpointKind.CHAT,
            model="claude-3-5-sonnet-v2@20241022",
            stream=True,
            segments=[(("messages", 0, "content"), "Hi")],
        ),
        id="claude-on-vertex",
    ),
    pytest.param(
        Case(
            family="gemini",
            path="/v1beta/models",
            body=None,
            schema="gemini.models",
            endpoint=EndpointKind.OTHER,
            segments=[],
        ),
        id="gemini-list-models",
    ),
    # Bedrock
    pytest.param(
        Case(
            family="bedrock",
            path="/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
            body=BEDROCK_CONVERSE,
            schema="bedrock.converse",
            endpoint=EndpointKind.CHAT,
            model="anthropic.claude-3-5-sonnet-20240620-v1:0",
            segments=BEDROCK_CONVERSE_SEGMENTS,
        ),
        id="bedrock-converse",
    ),
    pytest.param(
        Case(
            family="bedrock",
            path="/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream",
            body={"messages": [{"role": "user", "content": [{"text": "Hi"}]}]},
            schema="bedrock.converse",
            endpoint=EndpointKind.CHAT,
            model="us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            stream=True,
            segments=[(("messages", 0, "content", 0, "text"), "Hi")],
        ),
        id="bedrock-converse-stream",
    ),
    pytest.param(
        Case(
            family="bedrock",
            path="/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
            body={
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 200,
                "system": "Be brief.",
                "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi Claude"}]}],
            },
            schema="bedrock.invoke",
            endpoint=EndpointKind.CHAT,
            model="anthropic.claude-3-haiku-20240307-v1:0",
            segments=[
                (("system",), "Be brief."),
                (("messages", 0, "content", 0, "text"), "Hi Claude"),
            ],
        ),
        id="bedrock-invoke-anthropic",
    ),
    pytest.param(
        Case(
            family="bedrock",
            path="/model/amazon.nova-pro-v1%3A0/invoke",
            body={
                "schemaVersion": "messages-v1",
                "system": [{"text": "Be kind."}],
                "messages": [{"role": "user", "content": [{"text": "Hi Nova"}]}],
                "inferenceConfig": {"maxTokens": 300},
            },
            schema="bedrock.invoke",
            endpoint=EndpointKind.CHAT,
            model="amazon.nova-pro-v1:0",
            segments=[
                (("system", 0, "text"), "Be kind."),
                (("messages", 0, "content", 0, "text"), "Hi Nova"),
            ],
        ),
        id="bedrock-invoke-nova",
    ),
    pytest.param(
        Case(
            family="bedrock",
            path="/model/meta.llama3-70b-instruct-v1%3A0/invoke-with-response-stream",
            body={
                "prompt": "<|begin_of_text|>Tell me a story<|eot_id|>",
                "max_gen_len": 512,
                "temperature": 0.5,
            },
            schema="bedrock.invoke",
            endpoint=EndpointKind.COMPLETION,
            model="meta.llama3-70b-instruct-v1:0",
            stream=True,
            segments=[(("prompt",), "<|begin_of_text|>Tell me a story<|eot_id|>")],
        ),
        id="bedrock-invoke-llama-stream",
    ),
    pytest.param(
        Case(
            family="bedrock",
            path="/model/amazon.titan-embed-text-v2%3A0/invoke",
            body={"inputText": "embed me", "dimensions": 512, "normalize": True},
            schema="bedrock.invoke",
            endpoint=EndpointKind.EMBEDDING,
            model="amazon.titan-embed-text-v2:0",
            segments=[(("inputText",), "embed me")],
        ),
        id="bedrock-invoke-titan-embed",
    ),
    pytest.param(
        Case(
            family="bedrock",
            path="/model/stability.stable-diffusion-xl-v1/invoke",
            body={"text_prompts": [{"text": "a castle at dusk", "weight": 1}], "cfg_scale": 10},
            schema="bedrock.invoke",
            endpoint=EndpointKind.OTHER,
            model="stability.stable-diffusion-xl-v1",
            segments=[(("text_prompts", 0, "text"), "a castle at dusk")],
        ),
        id="bedrock-invoke-unknown-shape-walks-everything",
    ),
    # Cohere
    pytest.param(
        Case(
            family="cohere",
            path="/v2/chat",
            body={
                "model": "command-r-plus-08-2024",
                "stream": True,
                "messages": [
                    {"role": "system", "content": "Be formal."},
                    {"role": "user", "content": [{"type": "text", "text": "Hello Cohere"}]},
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "id": "c1",
                                "type": "function",
                                "function": {"name": "f", "arguments": '{"a": 1}'},
                            }
                        ],
                    },
                    {"role": "tool", "tool_call_id": "c1", "content": "tool said yes"},
                ],
            },
            schema="cohere.chat",
            endpoint=EndpointKind.CHAT,
            model="command-r-plus-08-2024",
            stream=True,
            segments=[
                (("messages", 0, "content"), "Be formal."),
                (("messages", 1, "content", 0, "text"), "Hello Cohere"),
                (("messages", 2, "tool_calls", 0, "function", "arguments"), '{"a": 1}'),
                (("messages", 3, "content"), "tool said yes"),
            ],
        ),
        id="cohere-chat-v2",
    ),
    pytest.param(
        Case(
            family="cohere",
            path="/v1/chat",
            body={
                "model": "command-r",
                "message": "And now?",
                "preamble": "You are a pirate.",
                "chat_history": [
                    {"role": "USER", "message": "Hi"},
                    {"role": "CHATBOT", "message": "Ahoy"},
                ],
                "documents": [{"title": "Q3", "snippet": "Revenue up 5%"}],
            },
            schema="cohere.chat",
            endpoint=EndpointKind.CHAT,
            model="command-r",
            segments=[
                (("preamble",), "You are a pirate."),
                (("chat_history", 0, "message"), "Hi"),
                (("chat_history", 1, "message"), "Ahoy"),
                (("message",), "And now?"),
                (("documents", 0, "title"), "Q3"),
                (("documents", 0, "snippet"), "Revenue up 5%"),
            ],
        ),
        id="cohere-chat-v1",
    ),
    pytest.param(
        Case(
            family="cohere",
            path="/v1/embed",
            body={
                "model": "embed-english-v3.0",
                "texts": ["hello", "world"],
                "input_type": "search_document",
            },
            schema="cohere.embed",
            endpoint=EndpointKind.EMBEDDING,
            model="embed-english-v3.0",
            segments=[(("texts", 0), "hello"), (("texts", 1), "world")],
        ),
        id="cohere-embed",
    ),
    pytest.param(
        Case(
            family="cohere",
            path="/v1/generate",
            body={"model": "command", "prompt": "Write a haiku", "max_tokens": 50},
            schema="cohere.generate",
            endpoint=EndpointKind.COMPLETION,
            model="command",
            segments=[(("prompt",), "Write a haiku")],
        ),
        id="cohere-generate",
    ),
    # ChatGPT web
    pytest.param(
        Case(
            family="chatgpt_web",
            path="/backend-api/f/conversation",
            body={
                "action": "next",
                "messages": [
                    {
                        "id": "aaa2",
                        "author": {"role": "user"},
                        "create_time": 1718000000.0,
                        "content": {
                            "content_type": "multimodal_text",
                            "parts": [
                                {
                                    "content_type": "image_asset_pointer",
                                    "asset_pointer": "file-service://file-abc",
                                },
                                "What is in this picture?",
                            ],
                        },
                        "metadata": {},
                    }
                ],
                "parent_message_id": "client-created-root",
                "model": "auto",
                "timezone_offset_min": -60,
            },
            schema="chatgpt_web.conversation",
            endpoint=EndpointKind.CHAT,
            model="auto",
            stream=True,
            segments=[(("messages", 0, "content", "parts", 1), "What is in this picture?")],
        ),
        id="chatgpt-conversation",
    ),
    pytest.param(
        Case(
            family="chatgpt_web",
            path="/backend-api/files",
            body={"file_name": "report.pdf", "file_size": 1234, "use_case": "my_files"},
            schema="chatgpt_web.files",
            endpoint=EndpointKind.FILE_UPLOAD,
            segments=[(("file_name",), "report.pdf"), (("use_case",), "my_files")],
        ),
        id="chatgpt-file-upload",
    ),
    pytest.param(
        Case(
            family="chatgpt_web",
            path="/backend-api/conversation/6740-abcd",
            body=None,
            schema="chatgpt_web.other",
            endpoint=EndpointKind.OTHER,
            segments=[],
        ),
        id="chatgpt-other",
    ),
    # Cloudflare AI Gateway: the inner provider's parser, and its schema name
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/openai/chat/completions",
            body={"model": "gpt-4o-mini", "messages": HI},
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="gpt-4o-mini",
            segments=[(("messages", 0, "content"), "Hi")],
        ),
        id="cloudflare-openai",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/azure-openai/my-resource/my-deploy/chat/completions"
            "?api-version=2024-06-01",
            body={"messages": HI},
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="my-deploy",
            segments=[(("messages", 0, "content"), "Hi")],
        ),
        id="cloudflare-azure-deployment",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/anthropic/v1/messages",
            body={"model": "claude-3-5-haiku-latest", "max_tokens": 10, "messages": HI},
            schema="anthropic.messages",
            endpoint=EndpointKind.CHAT,
            model="claude-3-5-haiku-latest",
            segments=[(("messages", 0, "content"), "Hi")],
        ),
        id="cloudflare-anthropic",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/google-ai-studio/v1beta/models/gemini-1.5-flash:generateContent",
            body={"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]},
            schema="gemini.generate",
            endpoint=EndpointKind.CHAT,
            model="gemini-1.5-flash",
            segments=[(("contents", 0, "parts", 0, "text"), "Hi")],
        ),
        id="cloudflare-gemini",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/aws-bedrock/bedrock-runtime/us-east-1/model/"
            "amazon.titan-embed-text-v2:0/invoke",
            body={"inputText": "embed me"},
            schema="bedrock.invoke",
            endpoint=EndpointKind.EMBEDDING,
            model="amazon.titan-embed-text-v2:0",
            segments=[(("inputText",), "embed me")],
        ),
        id="cloudflare-bedrock",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/cohere/v1/chat",
            body={"model": "command-r", "message": "Hi"},
            schema="cohere.chat",
            endpoint=EndpointKind.CHAT,
            model="command-r",
            segments=[(("message",), "Hi")],
        ),
        id="cloudflare-cohere",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/compat/chat/completions",
            body={"model": "google-ai-studio/gemini-2.0-flash", "messages": HI},
            schema="openai.chat",
            endpoint=EndpointKind.CHAT,
            model="google-ai-studio/gemini-2.0-flash",
            segments=[(("messages", 0, "content"), "Hi")],
        ),
        id="cloudflare-compat",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw/replicate/v1/predictions",
            body={"version": "abc", "input": {"prompt": "a red fox"}},
            schema="generic",
            endpoint=EndpointKind.OTHER,
            segments=[(("input", "prompt"), "a red fox")],
        ),
        id="cloudflare-unknown-provider",
    ),
    pytest.param(
        Case(
            family="cloudflare_gateway",
            path="/v1/acct123/my-gw",
            body=[
                {"provider": "openai", "endpoint": "chat/completions", "query": {"messages": HI}}
            ],
            schema="generic",
            endpoint=EndpointKind.OTHER,
            segments=[
                ((0, "provider"), "openai"),
                ((0, "endpoint"), "chat/completions"),
                ((0, "query", "messages", 0, "content"), "Hi"),
            ],
        ),
        id="cloudflare-universal-endpoint",
    ),
    # Generic
    pytest.param(
        Case(
            family="generic",
            path="/api/chat",
            body={"model": "llama3.1", "messages": HI, "stream": False},
            schema="generic",
            endpoint=EndpointKind.CHAT,
            model="llama3.1",
            segments=[(("messages", 0, "content"), "Hi")],
        ),
        id="generic-chat",
    ),
    pytest.param(
        Case(
            family="generic",
            path="/api/embed",
            body={"model": "nomic-embed-text", "input": ["one", "two"]},
            schema="generic",
            endpoint=EndpointKind.EMBEDDING,
            model="nomic-embed-text",
            segments=[(("input", 0), "one"), (("input", 1), "two")],
        ),
        id="generic-embed",
    ),
    pytest.param(
        Case(
            family="generic",
            path="/v1/text/completions",
            body={"prompt": "Once upon", "stream": True},
            schema="generic",
            endpoint=EndpointKind.COMPLETION,
            stream=True,
            segments=[(("prompt",), "Once upon")],
        ),
        id="generic-completion",
    ),
    pytest.param(
        Case(
            family="generic",
            path="/v1/image/generate",
            body={"prompt": "a lighthouse"},
            schema="generic",
            endpoint=EndpointKind.IMAGE,
            segments=[(("prompt",), "a lighthouse")],
        ),
        id="generic-image",
    ),
    pytest.param(
        Case(
            family="generic",
            path="/v1/text-to-speech/voice123",
            body={"text": "Read this aloud"},
            schema="generic",
            endpoint=EndpointKind.AUDIO,
            segments=[(("text",), "Read this aloud")],
        ),
        id="generic-audio",
    ),
    pytest.param(
        Case(
            family="generic",
            path="/v1/run",
            body={
                "id": "req_1",
                "object": "run",
                "type": "task",
                "role": "user",
                "version": "2",
                "format": "json",
                "model": "m-1",
                "title": "",
                "nested": {"notes": ["keep me", "", 7, None, True]},
            },
            schema="generic",
            endpoint=EndpointKind.OTHER,
            model="m-1",
            segments=[(("nested", "notes", 0), "keep me")],
        ),
        id="generic-skips-labels-and-empty-strings",
    ),
    pytest.param(
        Case(
            family="generic",
            path="/v1/run",
            body="just a string",
            schema="generic",
            endpoint=EndpointKind.OTHER,
            segments=[((), "just a string")],
        ),
        id="generic-top-level-string",
    ),
    pytest.param(
        Case(
            family="generic",
            path="/v1/run",
            body=42,
            schema="generic",
            endpoint=EndpointKind.OTHER,
            segments=[],
        ),
        id="generic-top-level-number",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_provider_request_reads_endpoint_model_stream_and_text(case: Case) -> None:
    raw = b"" if case.body is None else json.dumps(case.body).encode()
    request = parse_request(
        case.family, "some-provider", "POST", case.path, "application/json", raw
    )
    assert request.provider == "some-provider"
    assert request.schema == case.schema
    assert request.endpoint is case.endpoint
    assert request.model == case.model
    assert request.stream is case.stream
    assert [(s.path, s.text) for s in request.segments] == case.segments
    assert request.body_format == ("empty" if case.body is None else "json")


@pytest.mark.parametrize(
    ("family", "path", "body", "roles"),
    [
        (
            "anthropic",
            "/v1/messages",
            ANTHROPIC_MESSAGES,
            ["system", "user", "assistant", "assistant", "tool", "user", "user"],
        ),
        (
            "gemini",
            "/v1beta/models/g:generateContent",
            GEMINI_GENERATE,
            ["user", "assistant", "tool", "system"],
        ),
        (
            "bedrock",
            "/model/m/converse",
            BEDROCK_CONVERSE,
            ["system", "user", "assistant", "tool", "tool"],
        ),
    ],
)
def test_segments_keep_the_role_the_schema_gives(
    family: str, path: str, body: Any, roles: list[str]
) -> None:
    request = parse_request(family, family, "POST", path, None, json.dumps(body).encode())
    assert [s.role for s in request.segments] == roles


def test_the_path_names_the_model_for_gemini_even_if_the_body_claims_another() -> None:
    body = {"model": "gemini-1.5-flash-8b", "contents": [{"parts": [{"text": "x"}]}]}
    request = parse_request(
        "gemini",
        "gemini",
        "POST",
        "/v1beta/models/gemini-2.5-pro:generateContent",
        None,
        json.dumps(body).encode(),
    )
    assert request.model == "gemini-2.5-pro"


def test_an_unknown_schema_family_is_read_as_generic() -> None:
    request = parse_request("nonesuch", "x", "POST", "/v1/chat", None, b'{"q": "hello"}')
    assert (request.schema, request.endpoint) == ("generic", EndpointKind.CHAT)
    assert [(s.path, s.text) for s in request.segments] == [(("q",), "hello")]


HOSTILE_SHAPES = [
    {"messages": 5, "contents": "x", "system": [1, None, "s"], "input": {"a": 1}},
    {"messages": [None, 3, {"role": ["x"], "content": {"parts": 7}, "tool_calls": "no"}]},
    {"messages": [{"content": [None, {"type": "tool_result", "content": 5}], "author": 3}]},
    {"contents": [{"role": {}, "parts": [None, {"text": 5, "functionCall": "x"}]}]},
    {"chat_history": [{"role": ["USER"], "message": 1}], "message": None, "prompt": 3},
    {"systemInstruction": 4, "requests": [{"content": []}], "generateContentRequest": []},
    [],
    None,
]
EVERY_ROUTE = [
    ("openai", "/v1/chat/completions"),
    ("openai", "/v1/responses"),
    ("openai", "/v1/completions"),
    ("openai", "/v1/embeddings"),
    ("openai", "/v1/moderations"),
    ("anthropic", "/v1/messages"),
    ("gemini", "/v1beta/models/m:generateContent"),
    ("gemini", "/v1beta/models/m:batchEmbedContents"),
    ("gemini", "/v1beta/models/m:countTokens"),
    ("bedrock", "/model/m/converse"),
    ("bedrock", "/model/m/invoke"),
    ("bedrock", "/model/m-embed/invoke"),
    ("cohere", "/v2/chat"),
    ("cohere", "/v2/embed"),
    ("chatgpt_web", "/backend-api/conversation"),
    ("generic", "/x"),
]


@pytest.mark.parametrize("body", HOSTILE_SHAPES)
@pytest.mark.parametrize(("family", "path"), EVERY_ROUTE)
def test_wrongly_shaped_json_never_crashes_a_reader(family: str, path: str, body: Any) -> None:
    request = parse_request(family, family, "POST", path, None, json.dumps(body).encode())
    assert all(isinstance(s.text, str) and s.text for s in request.segments)
