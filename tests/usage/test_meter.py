"""Reading usage and answer text from each provider's responses, streamed and not."""

from __future__ import annotations

import json

import pytest

from tests.usage.wire import aws_frame, bedrock_chunk, compress, pieces, sse
from warden.usage.meter import MAX_JSON_BYTES, ResponseMeter, ResponseReading

JSON = "application/json"
SSE = "text/event-stream"
EVENTSTREAM = "application/vnd.amazon.eventstream"


def read(
    body: bytes,
    content_type: str,
    *,
    encoding: str | None = None,
    headers: dict[str, str] | None = None,
    chunk: int = 7,
) -> ResponseReading:
    meter = ResponseMeter(content_type, encoding, headers)
    for piece in pieces(body, chunk):  # small pieces: events split across chunks
        meter.feed(piece)
    return meter.finish()


OPENAI_CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Paris is the capital.", "refusal": None},
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 1200,
        "completion_tokens": 6,
        "total_tokens": 1206,
        "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    },
}


def _openai_chunks(include_usage: bool) -> bytes:
    base = {"id": "chatcmpl-2", "object": "chat.completion.chunk", "model": "gpt-4o"}
    events: list[object] = []
    for i, piece in enumerate(["Hel", "lo", " there"]):
        delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        if include_usage:
            chunk["usage"] = None
        events.append(chunk)
    events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if include_usage:
        usage = {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}
        events.append({**base, "choices": [], "usage": usage})
    events.append("[DONE]")
    return sse(*events)


RESPONSES_API = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "gpt-4.1",
    "output": [
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Four.", "annotations": []}],
        },
    ],
    "usage": {
        "input_tokens": 30,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 50,
        "output_tokens_details": {"reasoning_tokens": 48},
        "total_tokens": 80,
    },
}

RESPONSES_STREAM = sse(
    {"type": "response.created", "response": {**RESPONSES_API, "output": [], "usage": None}},
    {"type": "response.output_text.delta", "item_id": "m", "output_index": 1, "delta": "Fo"},
    {"type": "response.output_text.delta", "item_id": "m", "output_index": 1, "delta": "ur."},
    {"type": "response.output_text.done", "item_id": "m", "output_index": 1, "text": "Four."},
    {"type": "response.completed", "response": RESPONSES_API},
    named=True,
)

ANTHROPIC_MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [{"type": "text", "text": "Bonjour."}],
    "stop_reason": "end_turn",
    "usage": {
        "input_tokens": 20,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 2000,
        "output_tokens": 4,
    },
}

_ANTHROPIC_START = {
    "type": "message_start",
    "message": {
        **ANTHROPIC_MESSAGE,
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 25, "cache_read_input_tokens": 0, "output_tokens": 1},
    },
}
_ANTHROPIC_DELTAS = [
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "ping"},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " you"}},
    {"type": "content_block_stop", "index": 0},
]
ANTHROPIC_STREAM = sse(
    _ANTHROPIC_START,
    *_ANTHROPIC_DELTAS,
    {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 7}},
    {"type": "message_stop"},
    named=True,
)


def _gemini(text: str, prompt: int, out: int, thoughts: int = 0) -> dict[str, object]:
    meta = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": out,
        "totalTokenCount": prompt + out,
    }
    if thoughts:
        meta["thoughtsTokenCount"] = thoughts
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}],
        "usageMetadata": meta,
        "modelVersion": "gemini-2.5-flash",
        "responseId": "r1",
    }


GEMINI_CHUNKS = [_gemini("One", 11, 1), _gemini(" two", 11, 2), _gemini(" three", 11, 3, 40)]

BEDROCK_CONVERSE = {
    "output": {"message": {"role": "assistant", "content": [{"text": "Hola."}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 15, "outputTokens": 3, "totalTokens": 18},
    "metrics": {"latencyMs": 410},
}

BEDROCK_CONVERSE_STREAM = b"".join(
    [
        aws_frame("messageStart", {"role": "assistant", "p": "abc"}),
        aws_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Ho"}}),
        aws_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "la"}}),
        aws_frame("contentBlockStop", {"contentBlockIndex": 0}),
        aws_frame("messageStop", {"stopReason": "end_turn"}),
        aws_frame(
            "metadata",
            {
                "usage": {
                    "inputTokens": 12,
                    "outputTokens": 2,
                    "totalTokens": 14,
                    "cacheReadInputTokens": 5,
                },
                "metrics": {"latencyMs": 300},
            },
        ),
    ]
)

BEDROCK_INVOKE_STREAM = b"".join(
    [
        bedrock_chunk(_ANTHROPIC_START),
        *(bedrock_chunk(e) for e in _ANTHROPIC_DELTAS),
        bedrock_chunk(
            {
                "type": "message_stop",
                "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": 25,
                    "outputTokenCount": 7,
                    "invocationLatency": 500,
                    "firstByteLatency": 200,
                },
            }
        ),
    ]
)

COHERE_V2 = {
    "id": "c2",
    "finish_reason": "COMPLETE",
    "message": {"role": "assistant", "content": [{"type": "text", "text": "Ciao."}]},
    "usage": {
        "billed_units": {"input_tokens": 8, "output_tokens": 2},
        "tokens": {"input_tokens": 80, "output_tokens": 2},
    },
}

COHERE_V2_STREAM = sse(
    {"type": "message-start", "id": "c2", "delta": {"message": {"role": "assistant"}}},
    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Ci"}}}},
    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "ao."}}}},
    {
        "type": "message-end",
        "delta": {
            "finish_reason": "COMPLETE",
            "usage": {"billed_units": {"input_tokens": 8, "output_tokens": 2}},
        },
    },
    named=True,
)

COHERE_V1 = {
    "response_id": "r",
    "text": "Hallo.",
    "generation_id": "g",
    "finish_reason": "COMPLETE",
    "meta": {"billed_units": {"input_tokens": 6, "output_tokens": 2}},
}

COHERE_V1_STREAM = b"".join(
    json.dumps(e).encode() + b"\n"
    for e in [
        {"is_finished": False, "event_type": "stream-start", "generation_id": "g"},
        {"is_finished": False, "event_type": "text-generation", "text": "Hal"},
        {"is_finished": False, "event_type": "text-generation", "text": "lo."},
        {
            "is_finished": True,
            "event_type": "stream-end",
            "response": {"text": "Hallo.", "meta": COHERE_V1["meta"]},
        },
    ]
)

CHATGPT_WEB = sse(
    *[
        {
            "message": {
                "author": {"role": "assistant"},
                "content": {"content_type": "text", "parts": [text]},
            },
            "conversation_id": "c",
        }
        for text in ("The", "The answer", "The answer is 42.")
    ],
    "[DONE]",
)

# (content type, body, extra headers) -> (input, output, cached, complete, text, model)
CASES = [
    pytest.param(
        JSON,
        json.dumps(OPENAI_CHAT).encode(),
        {},
        (1200, 6, 1024, True, "Paris is the capital.", "gpt-4o-mini-2024-07-18"),
        id="openai-chat",
    ),
    pytest.param(
        SSE,
        _openai_chunks(include_usage=True),
        {},
        (9, 3, None, True, "Hello there", "gpt-4o"),
        id="openai-chat-stream-include-usage",
    ),
    pytest.param(
        SSE,
        _openai_chunks(include_usage=False),
        {},
        (None, None, None, False, "Hello there", "gpt-4o"),
        id="openai-chat-stream-without-usage",
    ),
    pytest.param(
        JSON,
        json.dumps(RESPONSES_API).encode(),
        {},
        (30, 50, 0, True, "Four.", "gpt-4.1"),
        id="openai-responses",
    ),
    pytest.param(
        SSE,
        RESPONSES_STREAM,
        {},
        (30, 50, 0, True, "Four.", "gpt-4.1"),
        id="openai-responses-stream",
    ),
    pytest.param(
        JSON,
        json.dumps(
            {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
                "model": "text-embedding-3-small",
                "usage": {"prompt_tokens": 5, "total_tokens": 5},
            }
        ).encode(),
        {},
        (5, 0, None, True, "", "text-embedding-3-small"),
        id="openai-embeddings",
    ),
    pytest.param(
        JSON,
        json.dumps(
            {
                **OPENAI_CHAT,
                "model": "deepseek-chat",
                "usage": {
                    "prompt_tokens": 50,
                    "completion_tokens": 10,
                    "prompt_cache_hit_tokens": 32,
                    "prompt_cache_miss_tokens": 18,
                },
            }
        ).encode(),
        {},
        (50, 10, 32, True, "Paris is the capital.", "deepseek-chat"),
        id="deepseek-cache-hits",
    ),
    pytest.param(
        JSON,
        json.dumps(ANTHROPIC_MESSAGE).encode(),
        {},
        (2120, 4, 2000, True, "Bonjour.", "claude-sonnet-4-5-20250929"),
        id="anthropic-messages",
    ),
    pytest.param(
        SSE,
        ANTHROPIC_STREAM,
        {},
        (25, 7, 0, True, "Hi you", "claude-sonnet-4-5-20250929"),
        id="anthropic-stream",
    ),
    pytest.param(
        SSE,
        sse(_ANTHROPIC_START, *_ANTHROPIC_DELTAS[:3], named=True),
        {},
        (25, None, 0, False, "Hi", "claude-sonnet-4-5-20250929"),
        id="anthropic-stream-cut-off",
    ),
    pytest.param(
        JSON,
        json.dumps(_gemini("Yes.", 7, 2)).encode(),
        {},
        (7, 2, None, True, "Yes.", "gemini-2.5-flash"),
        id="gemini",
    ),
    pytest.param(
        SSE,
        sse(*GEMINI_CHUNKS),
        {},
        (11, 43, None, True, "One two three", "gemini-2.5-flash"),
        id="gemini-stream-sse-thinking",
    ),
    pytest.param(
        JSON,
        json.dumps(GEMINI_CHUNKS).encode(),
        {},
        (11, 43, None, True, "One two three", "gemini-2.5-flash"),
        id="gemini-stream-json-array",
    ),
    pytest.param(
        JSON,
        json.dumps(BEDROCK_CONVERSE).encode(),
        {},
        (15, 3, None, True, "Hola.", None),
        id="bedrock-converse",
    ),
    pytest.param(
        EVENTSTREAM,
        BEDROCK_CONVERSE_STREAM,
        {},
        (17, 2, 5, True, "Hola", None),
        id="bedrock-converse-stream",
    ),
    pytest.param(
        JSON,
        json.dumps(ANTHROPIC_MESSAGE | {"usage": {"input_tokens": 1, "output_tokens": 1}}).encode(),
        {"X-Amzn-Bedrock-Input-Token-Count": "31", "X-Amzn-Bedrock-Output-Token-Count": "4"},
        (1, 1, None, True, "Bonjour.", "claude-sonnet-4-5-20250929"),
        id="bedrock-invoke-model-body-wins",
    ),
    pytest.param(
        JSON,
        json.dumps({"generation": "Hi.", "stop_reason": "stop"}).encode(),
        {"X-Amzn-Bedrock-Input-Token-Count": "31", "X-Amzn-Bedrock-Output-Token-Count": "4"},
        (31, 4, None, True, "", None),
        id="bedrock-invoke-model-headers",
    ),
    pytest.param(
        EVENTSTREAM,
        BEDROCK_INVOKE_STREAM,
        {},
        (25, 7, 0, True, "Hi you", "claude-sonnet-4-5-20250929"),
        id="bedrock-invoke-stream",
    ),
    pytest.param(
        JSON,
        json.dumps(COHERE_V2).encode(),
        {},
        (8, 2, None, True, "Ciao.", None),
        id="cohere-v2",
    ),
    pytest.param(
        SSE, COHERE_V2_STREAM, {}, (8, 2, None, True, "Ciao.", None), id="cohere-v2-stream"
    ),
    pytest.param(
        JSON, json.dumps(COHERE_V1).encode(), {}, (6, 2, None, True, "Hallo.", None), id="cohere-v1"
    ),
    pytest.param(
        "application/stream+json",
        COHERE_V1_STREAM,
        {},
        (6, 2, None, True, "Hallo.", None),
        id="cohere-v1-stream",
    ),
    pytest.param(
        SSE,
        CHATGPT_WEB,
        {},
        (None, None, None, False, "The answer is 42.", None),
        id="chatgpt-web-cumulative",
    ),
]


@pytest.mark.parametrize(("content_type", "body", "headers", "expected"), CASES)
def test_usage_and_text_are_read_from_each_provider_format(content_type, body, headers, expected):
    reading = read(body, content_type, headers=headers)
    got = (
        reading.input_tokens,
        reading.output_tokens,
        reading.cached_tokens,
        reading.usage_complete,
        reading.text,
        reading.model,
    )
    assert got == expected
    assert reading.wire_bytes == len(body)
    assert reading.problem is None


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd", "deflate"])
def test_compressed_answers_are_read_from_a_decoded_copy(coding):
    body = _openai_chunks(include_usage=True)
    wire = compress(body, coding)
    reading = read(wire, SSE, encoding=coding, chunk=5)
    assert (reading.input_tokens, reading.output_tokens, reading.text) == (9, 3, "Hello there")
    assert reading.wire_bytes == len(wire)


def test_a_corrupt_encoding_stops_reading_without_raising():
    reading = read(b"not gzip at all" * 10, JSON, encoding="gzip")
    assert reading.input_tokens is None
    assert reading.problem and "corrupt" in reading.problem


def test_an_answer_too_large_to_parse_is_counted_but_not_read():
    body = b'{"x": "' + b"a" * (MAX_JSON_BYTES + 10) + b'"}'
    meter = ResponseMeter(JSON, None)
    for piece in pieces(body, 1 << 20):
        meter.feed(piece)
    reading = meter.finish()
    assert reading.wire_bytes == len(body)
    assert reading.problem == "answer too large to read"


def test_a_broken_event_stream_frame_stops_reading_bedrock():
    good = aws_frame("contentBlockDelta", {"delta": {"text": "ok"}})
    reading = read(good + b"\x00\x00\x00\x20garbage-garbage-garbage!", EVENTSTREAM)
    assert reading.text == "ok"
    assert reading.problem == "event stream framing lost"


def test_answer_text_is_kept_up_to_the_limit_and_its_full_length_is_known():
    meter = ResponseMeter(SSE, None, text_limit=10)
    events = [
        {"choices": [{"index": 0, "delta": {"content": "abcdefgh"}}]},
        {"choices": [{"index": 0, "delta": {"content": "ijklmnop"}}]},
    ]
    meter.feed(sse(*events))
    reading = meter.finish()
    assert (reading.text, reading.text_chars, reading.text_truncated) == ("abcdefghij", 16, True)


def test_sse_with_crlf_and_multiline_data_is_understood():
    body = (
        b"event: message_delta\r\n"
        b'data: {"type": "message_delta",\r\n'
        b'data:  "usage": {"output_tokens": 3}}\r\n\r\n'
    )
    reading = read(body, SSE, chunk=3)
    assert reading.output_tokens == 3


@pytest.mark.parametrize("completion_tokens", [-1_000_000, 10**12, 1.5])
def test_an_implausible_token_count_is_not_believed(completion_tokens: float) -> None:
    """Counts feed quotas and budgets, and whoever answers writes them (a self-hosted
    endpoint, a gateway): a negative count would hand quota back, a huge one use up a team's."""
    answer = {**OPENAI_CHAT, "usage": {"prompt_tokens": 12, "completion_tokens": completion_tokens}}
    reading = read(json.dumps(answer).encode(), JSON)
    assert reading.output_tokens in (None, 0)
    assert reading.input_tokens == 12
