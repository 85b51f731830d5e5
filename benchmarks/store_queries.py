"""Audit store queries: the dashboard's standard aggregates over 1,000,000 events (target <= 1 s).

    .venv/bin/python -m benchmarks.store_queries [--events 1000000] [--data-dir DIR] [--runs 5]

Generates the events with DuckDB straight into segment files of the real schema (30 days,
500 users, 7 providers, 20 models, ~5 % blocked, captured prompt and answer text), laid out
the way compaction leaves them, then times each aggregate through both read paths:

  reader   warden.store.reader.connect(): the snapshot view `warden logs` and the dashboard use
  catalog  <data dir>/warden.duckdb opened read-only: the view a person's duckdb shell uses

Each query runs --runs times; the first (cold) run and the median are printed.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from warden.store import reader
from warden.store.catalog import write_catalog
from warden.store.compaction import MAX_ROWS
from warden.store.layout import StoreLayout
from warden.store.parquet import write_segment
from warden.store.schema import COLUMNS
from warden.store.segments import SegmentName
from warden.store.sql import quoted

QUERIES = {
    "requests per day": """
        SELECT date_trunc('day', time) AS day, count(*) AS requests
        FROM events WHERE type = 'request' GROUP BY day ORDER BY day""",
    "tokens per day": """
        SELECT date_trunc('day', time) AS day, sum(input_tokens) AS tokens_in,
               sum(output_tokens) AS tokens_out
        FROM events WHERE type = 'request' GROUP BY day ORDER BY day""",
    "cost per day": """
        SELECT date_trunc('day', time) AS day, sum(cost_usd) AS usd
        FROM events WHERE type = 'request' GROUP BY day ORDER BY day""",
    "blocked by user": """
        SELECT "user", count(*) AS blocked FROM events WHERE blocked
        GROUP BY "user" ORDER BY blocked DESC LIMIT 20""",
    "blocked by provider": """
        SELECT provider, count(*) AS blocked FROM events WHERE blocked
        GROUP BY provider ORDER BY blocked DESC""",
    "blocked by model": """
        SELECT model, count(*) AS blocked FROM events WHERE blocked
        GROUP BY model ORDER BY blocked DESC""",
}

MODELS = [
    ("OpenAI", "openai", "gpt-4o-mini"),
    ("OpenAI", "openai", "gpt-4o"),
    ("OpenAI", "openai", "gpt-4.1"),
    ("OpenAI", "openai", "gpt-5"),
    ("OpenAI", "openai", "o4-mini"),
    ("Anthropic", "anthropic", "claude-sonnet-4-5"),
    ("Anthropic", "anthropic", "claude-haiku-4-5"),
    ("Anthropic", "anthropic", "claude-opus-4-1"),
    ("Google", "gemini-api", "gemini-2.5-flash"),
    ("Google", "gemini-api", "gemini-2.5-pro"),
    ("Google", "gemini-api", "gemini-2.0-flash"),
    ("Mistral", "mistral", "mistral-large-latest"),
    ("Mistral", "mistral", "mistral-small-latest"),
    ("DeepSeek", "deepseek", "deepseek-chat"),
    ("DeepSeek", "deepseek", "deepseek-reasoner"),
    ("xAI", "xai", "grok-4"),
    ("xAI", "xai", "grok-4-fast"),
    ("Cohere", "cohere", "command-a-03-2025"),
    ("Cohere", "cohere", "command-r-08-2024"),
    ("OpenAI", "chatgpt-web", None),
]


def _array(values: list[str | None]) -> str:
    return "[" + ", ".join("NULL" if v is None else f"'{v}'" for v in values) + "]"


def generate(data_dir: Path, events: int, per_segment: int) -> float:
    """Write `events` synthetic events as segments; returns seconds taken."""
    events_dir = StoreLayout(data_dir).events_dir
    events_dir.mkdir(parents=True, exist_ok=True)
    providers = _array([m[0] for m in MODELS])
    apps = _array([m[1] for m in MODELS])
    models = _array([m[2] for m in MODELS])
    n = len(MODELS)
    span_us = 30 * 86_400 * 1_000_000
    start_us = 1_790_000_000 * 1_000_000  # 2026-09-21
    generated = {
        "seq": "i + 1",
        "time": f"make_timestamp({start_us} + (i * {span_us} // {events}))",
        "type": "CASE WHEN i % 50 = 0 THEN 'visit' ELSE 'request' END",
        "id": "'flow-' || i",
        "user": "'user' || (hash(i) % 500) || '@corp.example'",
        "groups": "['staff', 'team-' || (hash(i) % 500 % 12)]",
        "client_ip": "'10.0.' || (hash(i) % 500 // 250) || '.' || (hash(i) % 250)",
        "provider": f"{providers}[1 + (hash(i * 7) % {n})::BIGINT]",
        "app": f"{apps}[1 + (hash(i * 7) % {n})::BIGINT]",
        "host": "'api.example.com'",
        "method": "'POST'",
        "path": "'/v1/chat/completions'",
        "endpoint": "'chat'",
        "model": f"{models}[1 + (hash(i * 7) % {n})::BIGINT]",
        "stream": "i % 3 = 0",
        "decrypted": "i % 50 <> 0",
        "blocked": "hash(i * 13) % 20 = 0",
        "status": "CASE WHEN hash(i * 13) % 20 = 0 THEN 403 ELSE 200 END",
        "action": "CASE WHEN hash(i * 13) % 20 = 0 THEN 'block' ELSE 'monitor' END",
        "rule_id": "CASE WHEN hash(i * 13) % 20 = 0 THEN 'rule-' || hash(i) % 10 END",
        "latency_ms": "100 + hash(i * 17) % 5000",
        "ttfb_ms": "50 + hash(i * 19) % 900",
        "request_bytes": "500 + hash(i * 23) % 20000",
        "response_bytes": "800 + hash(i * 29) % 40000",
        "input_tokens": "50 + hash(i * 3) % 2000",
        "output_tokens": "20 + hash(i * 5) % 1000",
        "cached_tokens": "0",
        "usage_source": "CASE WHEN i % 10 = 0 THEN 'estimated' ELSE 'provider' END",
        "cost_usd": "((50 + hash(i * 3) % 2000) * 2.5 + (20 + hash(i * 5) % 1000) * 10) / 1e6",
        "price_version": "'2026-11-list-1'",
        "price_known": "true",
        "capture": "'redacted'",
        "prompt_text": "'[user] ' || md5(i::VARCHAR) || repeat(' please summarise', 10)",
        "response_text": "'Summary: ' || md5((i + 1)::VARCHAR) || repeat(' ok', 40)",
        "finding_count": "CASE WHEN i % 40 = 0 THEN 1 ELSE 0 END",
        "finding_types": "CASE WHEN i % 40 = 0 THEN ['EMAIL_ADDRESS'] ELSE [] END",
        "alert_ids": "[]",
    }
    select = ", ".join(
        f"{generated.get(c.name, 'NULL')}::{c.type} AS {quoted(c.name)}" for c in COLUMNS
    )
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    for number, lo in enumerate(range(0, events, per_segment), start=1):
        hi = min(lo + per_segment, events)
        sql = f"SELECT {select} FROM range({lo}, {hi}) t(i)"
        write_segment(con, sql, events_dir, SegmentName(number, number, 2))
    con.close()
    write_catalog(data_dir)
    return time.perf_counter() - started


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return seconds[0], statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-segment", type=int, default=MAX_ROWS // 8)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the store here")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="warden-bench-"))
    print(f"python {platform.python_version()}, duckdb {duckdb.__version__}")
    took = generate(data_dir, args.events, args.per_segment)
    files = sorted(StoreLayout(data_dir).events_dir.glob("seg-*.parquet"))
    size = sum(p.stat().st_size for p in files)
    print(
        f"generated {args.events:,} events in {took:.1f} s: {len(files)} segments, "
        f"{size / 1e6:.0f} MB on disk"
    )
    opened = time.perf_counter()
    con = reader.connect(data_dir)
    print(f"reader.connect(): {(time.perf_counter() - opened) * 1000:.1f} ms")
    shell = duckdb.connect(str(StoreLayout(data_dir).catalog), read_only=True)
    print(f"\n{'query':<22}{'reader cold':>13}{'median':>9}{'catalog cold':>15}{'median':>9}")
    worst = 0.0
    for name, sql in QUERIES.items():
        r_cold, r_med = timed(lambda sql=sql: con.execute(sql).fetchall(), args.runs)
        c_cold, c_med = timed(lambda sql=sql: shell.execute(sql).fetchall(), args.runs)
        worst = max(worst, r_cold, r_med, c_cold, c_med)
        print(f"{name:<22}{r_cold:>12.3f}s{r_med:>8.3f}s{c_cold:>14.3f}s{c_med:>8.3f}s")
    print(f"\nslowest: {worst:.3f} s (target <= 1 s each)")
    con.close()
    shell.close()
    if args.data_dir is None:
        shutil.rmtree(data_dir)


if __name__ == "__main__":
    main()
