"""Audit store ingest: events per second through the real writer into Parquet segments.

    .venv/bin/python -m benchmarks.store_ingest [--events 200000] [--seconds 10] [--rate 20000]

Two measurements, each on a fresh store in a temporary directory:

1. burst: append --events events as fast as possible, then flush(); events/s is events over
   the time from the first append to the flush being durable. Also prints what one
   append() costs the caller (the proxy's event loop).
2. sustained: append at --rate events/s for --seconds with the real 1 s flush interval and
   report whether the writer kept up (the backlog stays bounded, every event acknowledged).

Events look like the proxy's: identity, app, model, decision, tokens, cost and a captured
prompt and answer of a few hundred characters.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import threading
import time
import uuid
from pathlib import Path

from warden.store import reader
from warden.store.event import AuditEvent
from warden.store.writer import StoreWriter

USERS = [f"user{i}@corp.example" for i in range(200)]
MODELS = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash", "mistral-large"]
PROMPT = "Summarise the attached meeting notes for the weekly status email. " * 5
ANSWER = "Here is a short summary of the meeting: the team agreed on the plan. " * 8


def make_event(i: int) -> AuditEvent:
    return AuditEvent(
        type="request",
        id=uuid.uuid4().hex,
        user=USERS[i % len(USERS)],
        groups=["engineering", "staff"],
        device="laptop-42",
        identity_source="proxy_auth",
        client_ip="10.1.2.3",
        provider="OpenAI",
        app="openai",
        app_kind="api",
        sanctioned="sanctioned",
        host="api.openai.com",
        method="POST",
        path="/v1/chat/completions",
        endpoint="chat",
        model=MODELS[i % len(MODELS)],
        stream=bool(i % 2),
        decrypted=True,
        status=200,
        latency_ms=812.5,
        ttfb_ms=210.0,
        request_bytes=1234,
        response_bytes=5678,
        action="monitor",
        reason="default",
        blocked=False,
        decision={"action": "monitor", "rule_id": None, "reason": "default"},
        finding_count=0,
        input_tokens=120 + i % 50,
        output_tokens=300 + i % 70,
        cached_tokens=0,
        usage_source="provider",
        cost_usd=0.000123,
        price_version="2026-11-list-1",
        price_known=True,
        capture="redacted",
        prompt_text=f"{PROMPT} (ticket {uuid.uuid4().hex})",
        prompt_truncated=False,
        response_text=f"{ANSWER} [{uuid.uuid4().hex}]",
        response_truncated=False,
    )


def burst(events: int) -> None:
    prepared = [make_event(i) for i in range(events)]
    with tempfile.TemporaryDirectory() as tmp:
        writer = StoreWriter(Path(tmp))
        writer.start()
        started = time.perf_counter()
        for event in prepared:
            writer.append(event)
        appended = time.perf_counter()
        assert writer.flush(timeout_s=600)
        done = time.perf_counter()
        writer.close()
        stored = _count(Path(tmp))
        size = sum(p.stat().st_size for p in (Path(tmp) / "events").glob("seg-*.parquet"))
    print(f"burst: {events:,} events appended and flushed")
    print(f"  append() cost to the caller   {(appended - started) / events * 1e6:8.2f} us/event")
    print(f"  durable throughput            {events / (done - started):8,.0f} events/s")
    print(f"  stored                        {stored:,} events, {size / events:.0f} bytes/event")


def sustained(rate: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        writer = StoreWriter(Path(tmp))
        acks: list[tuple[float, int]] = []
        appended_at: list[float] = []  # appended_at[seq - 1]: seq counts from 1 in a new store
        lock = threading.Lock()

        def on_flush(seq: int, _n: int) -> None:
            with lock:
                acks.append((time.perf_counter(), seq))

        writer.add_flush_listener(on_flush)
        writer.start()
        pool = [make_event(i) for i in range(min(rate, 50_000))]
        appended, max_backlog = 0, 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            due = int(elapsed * rate)
            now = time.perf_counter()
            while appended < due:
                writer.append(pool[appended % len(pool)])
                appended_at.append(now)
                appended += 1
            max_backlog = max(max_backlog, writer.pending)
            time.sleep(0.001)
        end = time.perf_counter()
        assert writer.flush(timeout_s=600)
        drained = time.perf_counter()
        writer.close()
        stored = _count(Path(tmp))
    # How long each event stayed only in memory: from append() to the flush acknowledging it.
    # The longest is what a kill -9 at the worst moment could lose.
    exposure, previous = [], 0
    for stamp, seq in acks:
        if seq > previous:
            exposure.append(stamp - appended_at[previous])
            previous = seq
    exposure.sort()
    print(f"sustained: {rate:,} events/s offered for {seconds:.0f} s")
    print(f"  offered                       {appended / (end - started):8,.0f} events/s")
    print(f"  largest backlog               {max_backlog:8,} events")
    print(f"  append -> durable, median     {exposure[len(exposure) // 2]:8.2f} s")
    print(f"  append -> durable, worst      {exposure[-1]:8.2f} s")
    print(f"  drain after the last append   {drained - end:8.2f} s")
    print(f"  stored                        {stored:,} of {appended:,} events")


def _count(data_dir: Path) -> int:
    con = reader.connect(data_dir)
    try:
        return int(con.execute("SELECT count(*) FROM events").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rate", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}")
    burst(args.events)
    sustained(args.rate, args.seconds)


if __name__ == "__main__":
    main()
