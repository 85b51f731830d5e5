"""The benchmark's upstream: a minimal api.openai.com chat endpoint over TLS, in its own process.

Raw asyncio instead of the tests' Starlette mock: the upstream must cost far less per request
than any proxy in front of it, or the benchmark would measure the mock. A separate process keeps
it off the load generator's GIL.

    python -m benchmarks.upstream --host 127.83.1.2 --port 443 --cert server.pem --key key.pem

POST /v1/chat/completions answers like OpenAI: one JSON document, or with "stream": true an SSE
stream whose first event is sent at once and the rest after `x-mock-delay-ms` milliseconds.
`x-mock-reply-words: N` makes the answer N words long (one SSE event per word).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import ssl
import sys
import time
from typing import Any

DELAY_HEADER = b"x-mock-delay-ms"  # same name as tests.support.DELAY_HEADER
# A longer answer: this many words, the user's first words over and over (benchmarks.sizing).
WORDS_HEADER = b"x-mock-reply-words"
MAX_WORDS = 10_000
CHAT_PATH = b"/v1/chat/completions"
MAX_DELAY_S = 10.0  # a typo in a header must not park a connection for minutes


def chat_reply(request: dict[str, Any]) -> tuple[str, str]:
    """(model, reply text): echoes the first words of the last user message."""
    model = str(request.get("model", "gpt-4o-mini"))
    text = ""
    for message in request.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            text = content if isinstance(content, str) else ""
    return model, " ".join(["echo:", *text.split()[:8]])


def completion(model: str, reply: str) -> bytes:
    # Shaped like a real chat.completion so proxies parse and forward realistic bytes.
    body = {
        "id": "chatcmpl-bench0000000000000000",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129},
        "system_fingerprint": "fp_bench",
    }
    return json.dumps(body, separators=(",", ":")).encode()


def sse_events(model: str, reply: str) -> list[bytes]:
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
        data = {
            "id": "chatcmpl-bench0000000000000000",
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return b"data: " + json.dumps(data, separators=(",", ":")).encode() + b"\n\n"

    pieces = reply.split(" ")
    events = [chunk({"role": "assistant", "content": ""}, None)]
    events += [chunk({"content": p if i == 0 else f" {p}"}, None) for i, p in enumerate(pieces)]
    events += [chunk({}, "stop"), b"data: [DONE]\n\n"]
    return events


def _head(status: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    lines = [b"HTTP/1.1 " + status] + [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


async def _respond(
    writer: asyncio.StreamWriter, target: bytes, headers: dict[bytes, bytes], body: bytes
) -> None:
    if target != CHAT_PATH:
        message = b'{"error":{"message":"not found"}}'
        writer.write(_head(b"404 Not Found", [(b"content-length", b"%d" % len(message))]) + message)
        return
    request = json.loads(body or b"{}")
    model, reply = chat_reply(request)
    words = headers.get(WORDS_HEADER, b"")
    if words.isdigit() and int(words) > 0:
        pieces = reply.split()[1:] or ["word"]
        count = min(int(words), MAX_WORDS)
        reply = " ".join(["echo:", *(pieces[i % len(pieces)] for i in range(count))])
    if not request.get("stream"):
        payload = completion(model, reply)
        writer.write(
            _head(
                b"200 OK",
                [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"%d" % len(payload)),
                    (b"x-request-id", b"req_bench"),
                ],
            )
            + payload
        )
        return
    first, *rest = sse_events(model, reply)
    head = _head(
        b"200 OK",
        [
            (b"content-type", b"text/event-stream"),
            (b"cache-control", b"no-cache"),
            (b"transfer-encoding", b"chunked"),
        ],
    )
    writer.write(head + _chunk(first))
    await writer.drain()  # the first event leaves now, before the delay
    try:
        delay = min(float(headers.get(DELAY_HEADER, b"0")) / 1000, MAX_DELAY_S)
    except ValueError:
        delay = 0.0
    if delay > 0:
        await asyncio.sleep(delay)
    writer.write(b"".join(_chunk(event) for event in rest) + b"0\r\n\r\n")


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:  # one iteration per request on a keep-alive connection
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head[:-4].split(b"\r\n")
            method, target, _version = request_line.split(b" ", 2)
            headers: dict[bytes, bytes] = {}
            for line in lines:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            if b"chunked" in headers.get(b"transfer-encoding", b""):
                # Every client in the benchmark sends Content-Length; keep the mock small.
                writer.write(_head(b"411 Length Required", [(b"connection", b"close")]))
                break
            length = int(headers.get(b"content-length", b"0"))
            body = await reader.readexactly(length) if length else b""
            await _respond(writer, target if method == b"POST" else b"", headers, body)
            await writer.drain()
            if headers.get(b"connection", b"").lower() == b"close":
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ssl.SSLError):
        pass  # the peer went away or spoke nonsense: just drop the connection
    finally:
        writer.close()


async def main(host: str, port: int, cert: str, key: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    server = await asyncio.start_server(_serve, host, port, ssl=context, backlog=512)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.host, args.port, args.cert, args.key))
    except OSError as e:  # typically the address is taken; the parent picks another
        print(f"benchmarks.upstream: {e}", file=sys.stderr)
        sys.exit(3)
