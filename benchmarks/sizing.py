"""CPU cost per request of `warden run`, for sizing: how many cores a given traffic needs.

    PYTHONPATH=. .venv/bin/python -m benchmarks.sizing [--quick] [--json PATH]

Throughput on a shared 2-core VM moves with the host; CPU seconds per request served move far
less. Each workload below gets its own `warden run` (benchmarks.stack: a private mount
namespace, the local mock api.openai.com, nothing leaves the machine) and is driven in
interleaved rounds; over each round the proxy's CPU time and that of the processes it started
(the alert detection worker) are read from /proc, from just before the load to a short settle
after it (so the audit flush of the round's events is counted), and divided by the requests
served in the round.

Workloads:
- chat, allow-all: the ~730-byte chat request of benchmarks.proxy_overhead, no DLP;
- chat, default policy: the same request under policies/default.yaml (DLP on every prompt);
- coding context, memo: a ~100 KB coding-assistant request (system prompt, tool definitions,
  six source files and the conversation about them), sent again and again with only the last
  user message changing, so the DLP memo (warden/dlp/memo.py) answers for the rest;
- coding context, fresh: the same size and shape with every message new in every request
  (a number stamped into each), so every text misses the memo;
- streamed chat, allow-all and default policy: the chat request with "stream": true and a
  200-word answer as about 200 SSE events (the mock writes them in one go, so the proxy reads
  them in a few large pieces rather than one by one as from a real provider).

See docs/sizing.md for the figures and the load model built on them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import mitmproxy

from benchmarks import stack as st
from benchmarks.http1 import BenchError, Connection, Route, build_request, client_context
from benchmarks.load import PHASE_GRACE_S, Samples, probe
from benchmarks.proxy_overhead import CHAT, CHAT_PATH, count_audit_events
from benchmarks.report import machine, machine_lines
from tests.support import mount_namespace_skip_reason

MARK = b"#00000000"
SETTLE_S = 1.5  # after each round: the audit writer flushes every 0.8 s
REPLY_WORDS = 200  # the streamed answer: about 200 SSE events
# The coding context: six files of mitmproxy's own sources (pinned by uv.lock), each cut to
# the same length, so the request is about 100 KB of JSON whatever the installed version.
SOURCE_FILES = (
    "flow.py",
    "addonmanager.py",
    "command.py",
    "connection.py",
    "optmanager.py",
    "proxy/server.py",
)
FILE_CHARS = 19_000
CODING_TARGET_BYTES = 100_000


class Stamped:
    """Request bytes with every MARK replaced by the same new number for each request sent.

    With MARK in the last user message only, every request differs only there (the memo
    serves the rest); with MARK in every message, every text of every request is new."""

    def __init__(self, template: bytes) -> None:
        self._parts = template.split(MARK)
        if len(self._parts) < 2:
            raise ValueError("the request has no #00000000 to number")
        self._count = 0

    def __call__(self) -> bytes:
        self._count += 1
        return (b"#%08d" % (self._count % 100_000_000)).join(self._parts)


# --- the coding-assistant request -----------------------------------------------------------

SYSTEM_RULES = (
    "You are a coding assistant working inside the user's editor on a Python code base.",
    "Answer with the smallest change that solves the problem, as a unified diff when you "
    "change code, and explain the change in two or three sentences before the diff.",
    "Never invent functions, modules or options: if something you need is not in the files "
    "you were shown, ask for the file or use the read_file tool.",
    "Keep the project's style: type hints on every function, docstrings that say why rather "
    "than what, no new dependencies without asking.",
    "When you run a command with the run_command tool, show the command and summarise its "
    "output; never paste more than forty lines of it.",
    "Tests live next to the module they test under tests/; add or update a test for every "
    "behaviour you change, and say how to run it.",
    "Treat secrets and credentials you see in files as confidential: never repeat them in an "
    "answer, and suggest moving them to the environment.",
    "If the user's request is ambiguous, state the assumption you make in one line and go on.",
    "Prefer the standard library; when a third-party package is already imported in the file, "
    "use it rather than a second one for the same job.",
    "Error handling: let unexpected exceptions propagate, catch only what you can handle, and "
    "keep the original exception as the cause when you raise a new one.",
    "Performance matters in the proxy's hot path: avoid work per request that could be done "
    "once at start-up, and say when a change adds work per request.",
    "Format answers in Markdown; code blocks carry a language tag; file paths are relative to "
    "the repository root.",
)

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {
                    arg: {"type": "string", "description": arg_description},
                },
                "required": [arg],
            },
        },
    }
    for name, description, arg, arg_description in (
        ("read_file", "Read a file of the repository and return its text.", "path",
         "Path relative to the repository root."),
        ("run_command", "Run a shell command in the repository and return its output.",
         "command", "The command line, run with bash -lc in the repository root."),
        ("search_code", "Search the repository for a regular expression.", "pattern",
         "A Python regular expression; matches are returned with two lines of context."),
        ("apply_patch", "Apply a unified diff to the working tree.", "patch",
         "The diff, with a/ and b/ prefixes as git writes them."),
    )
]  # fmt: skip

QUESTIONS = (
    "I'm chasing a bug where a flow is killed twice when the client disconnects during the "
    "request hook. Here is the first file involved, {path}:",
    "Thanks. The flow's state changes go through this file too, {path}:",
    "And the commands that the kill goes through are defined in {path}:",
    "The connection objects carry the state we compare against; here is {path}:",
    "Options are read through this manager, {path}; the timeout comes from there:",
    "Finally the server side that drives the hooks, {path}:",
)
ANSWERS = (
    "In {path} the kill path calls `{name}` and then relies on the caller to check the flow's "
    "state again. If the client goes away while a hook is still running, both the hook's "
    "error handler and the connection teardown reach that code, which would explain the "
    "second kill. I would guard it with an explicit state check and log when it is skipped. "
    "Before changing anything, let me see how the state is updated elsewhere, since the fix "
    "has to hold for every caller and not only this one. Could you also show me the file that "
    "defines the commands? The kill command's wrapper may already do part of this check.",
    "This confirms it: `{name}` in {path} sets the state before the event is sent, so a "
    "second caller sees a flow that looks live for a short window. The smallest fix is to "
    "make the transition idempotent, returning early when the flow is already killed. That "
    "also keeps the event order the same for addons that watch it. A test can reproduce the "
    "race by raising inside a request hook and closing the client connection in the same "
    "loop iteration; I will write it once I have seen the remaining files.",
)


def _sources() -> list[tuple[str, str]]:
    root = Path(mitmproxy.__file__).parent
    return [(f"mitmproxy/{name}", (root / name).read_text()[:FILE_CHARS]) for name in SOURCE_FILES]


def _coding_body(fresh: bool, file_chars: int) -> bytes:
    stamp = f"{MARK.decode()} " if fresh else ""
    sources = _sources()
    system = "\n".join(f"- {rule}" for rule in SYSTEM_RULES)
    system = f"{stamp}Session rules for this workspace.\n{system}\n" * 4
    messages: list[dict[str, str]] = [{"role": "system", "content": system}]
    for i, (path, text) in enumerate(sources):
        question = QUESTIONS[i].format(path=path)
        messages.append(
            {"role": "user", "content": f"{stamp}{question}\n\n```python\n{text[:file_chars]}\n```"}
        )
        name = text.split("def ", 1)[1].split("(", 1)[0] if "def " in text else "kill"
        messages.append(
            {"role": "assistant", "content": stamp + ANSWERS[i % 2].format(path=path, name=name)}
        )
    messages.append(
        {
            "role": "user",
            "content": "Good. Now write the fix for the double kill in the first file and a "
            "regression test for it; keep the public API unchanged. Request #00000000.",
        }
    )
    body = {
        "model": "gpt-4o",
        "messages": messages,
        "tools": TOOLS,
        "temperature": 0.1,
        "max_tokens": 2048,
        "user": "bench-user-0002",
    }
    return json.dumps(body).encode()


def coding_request(fresh: bool) -> bytes:
    """The request template, its JSON body cut to about CODING_TARGET_BYTES."""
    file_chars = FILE_CHARS
    body = _coding_body(fresh, file_chars)
    while len(body) > CODING_TARGET_BYTES and file_chars > 1000:
        file_chars -= max(100, (len(body) - CODING_TARGET_BYTES) // len(SOURCE_FILES))
        body = _coding_body(fresh, file_chars)
    return build_request(st.HOSTNAME, CHAT_PATH, body)


def chat_request(stream: bool = False) -> bytes:
    chat = json.loads(json.dumps(CHAT).replace("#00000000", MARK.decode()))
    if not stream:
        return build_request(st.HOSTNAME, CHAT_PATH, json.dumps(chat).encode())
    chat |= {"stream": True, "stream_options": {"include_usage": True}}
    headers = {"Accept": "text/event-stream", "x-mock-reply-words": str(REPLY_WORDS)}
    return build_request(st.HOSTNAME, CHAT_PATH, json.dumps(chat).encode(), headers)


# --- workloads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    key: str
    label: str
    policy: str  # "allow-all" or "default"
    template: bytes
    concurrency: int
    stream: bool = False

    @property
    def body_bytes(self) -> int:
        return len(self.template.split(b"\r\n\r\n", 1)[1])


def workloads(quick: bool) -> list[Workload]:
    del quick  # the same workloads either way; only the durations differ
    return [
        Workload("chat_allow_all", "chat, allow-all", "allow-all", chat_request(), 20),
        Workload("chat_default", "chat, default policy", "default", chat_request(), 20),
        Workload("coding_memo", "coding 100 KB, memo", "default", coding_request(False), 2),
        Workload("coding_fresh", "coding 100 KB, fresh", "default", coding_request(True), 2),
        Workload(
            "stream_allow_all",
            "streamed chat, allow-all",
            "allow-all",
            chat_request(True),
            20,
            True,
        ),
        Workload(
            "stream_default", "streamed chat, default", "default", chat_request(True), 20, True
        ),
    ]


@dataclass(frozen=True)
class Settings:
    warmup_s: float
    duration_s: float  # per workload, split evenly over the rounds
    rounds: int
    idle_s: float  # each proxy's background CPU is read over this long, idle


FULL = Settings(warmup_s=4.0, duration_s=32.0, rounds=4, idle_s=4.0)
QUICK = Settings(warmup_s=1.0, duration_s=4.0, rounds=1, idle_s=1.0)


@dataclass
class Measured:
    workload: Workload
    proxy: st.Proxy
    route: Route
    payload: Stamped
    requests: int = 0  # answered (200) in the measured rounds
    refused: int = 0  # 503 dlp_unavailable in the measured rounds (their CPU is counted)
    proxy_cpu: float = 0.0
    helper_cpu: float = 0.0
    seconds: float = 0.0  # load time, without the settles
    sent: int = 0  # warmup included: every one must have an audit event
    idle_cpu_per_s: float = 0.0
    rounds_ms: list[float] = field(default_factory=list)  # total CPU ms per request, per round
    latency: Samples = field(default_factory=Samples)
    audit: dict[str, object] = field(default_factory=dict)

    def ms(self) -> tuple[float, float, float]:
        n = self.requests or 1
        proxy, helpers = 1000 * self.proxy_cpu / n, 1000 * self.helper_cpu / n
        return proxy, helpers, proxy + helpers

    def to_dict(self) -> dict[str, object]:
        proxy, helpers, total = self.ms()
        summary = self.latency.summary() if self.latency.ns else None
        return {
            "label": self.workload.label,
            "policy": self.workload.policy,
            "body_bytes": self.workload.body_bytes,
            "concurrency": self.workload.concurrency,
            "stream": self.workload.stream,
            "requests": self.requests,
            "refused_dlp_timeout": self.refused,
            "load_seconds": round(self.seconds, 3),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else None,
            "p50_ms": summary.p50_ms if summary else None,
            "cpu_ms_per_request": {
                "proxy": round(proxy, 3),
                "helpers": round(helpers, 3),
                "total": round(total, 3),
            },
            "cpu_ms_per_request_by_round": [round(r, 3) for r in self.rounds_ms],
            "requests_per_core_second": round(1000 / total, 1) if total else None,
            "idle_cpu_percent": round(100 * self.idle_cpu_per_s, 2),
            "audit": self.audit,
        }


async def run_load(
    route: Route, payload: Stamped, concurrency: int, duration: float
) -> tuple[Samples, int]:
    """load.run_load, except that a DLP timeout (503 dlp_unavailable) is counted, not fatal:
    on a machine busy with other work a 100 KB scan can outlast the policy's 2 s timeout.
    Returns the answered requests' samples and the number refused that way."""
    refused = 0

    async def loop(conn: Connection, deadline: int, samples: list[int]) -> None:
        nonlocal refused
        while time.perf_counter_ns() < deadline:
            data = payload()
            start = time.perf_counter_ns()
            response = await conn.request(data)
            if response.status == 503 and b"dlp_unavailable" in response.body:
                refused += 1
                continue
            if response.status != 200:
                raise BenchError(f"got {response.status}: {response.body[:300]!r}")
            samples.append(time.perf_counter_ns() - start)

    async with asyncio.timeout(duration + PHASE_GRACE_S):
        conns = await asyncio.gather(*(Connection.open(route) for _ in range(concurrency)))
        try:
            samples: list[int] = []
            start = time.perf_counter_ns()
            deadline = start + int(duration * 1e9)
            await asyncio.gather(*(loop(c, deadline, samples) for c in conns))
            elapsed = (time.perf_counter_ns() - start) / 1e9
        finally:
            await asyncio.gather(*(c.close() for c in conns))
    return Samples(samples, elapsed), refused


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cpu(pid: int) -> tuple[float, float]:
    return st.cpu_seconds(pid), st.helper_cpu_seconds(pid)


async def _round(m: Measured, seconds: float) -> None:
    pid = m.proxy.process.pid
    assert pid is not None
    before = _cpu(pid)
    samples, refused = await run_load(m.route, m.payload, m.workload.concurrency, seconds)
    await asyncio.sleep(SETTLE_S)  # the round's audit flush and detection-worker work
    after = _cpu(pid)
    proxy, helpers = after[0] - before[0], after[1] - before[1]
    m.proxy_cpu += proxy
    m.helper_cpu += helpers
    m.requests += len(samples.ns)
    m.seconds += samples.seconds
    m.sent += len(samples.ns) + refused
    m.refused += refused
    m.latency.add(samples)
    if samples.ns:
        m.rounds_ms.append(1000 * (proxy + helpers) / len(samples.ns))


async def _idle(measured: list[Measured], seconds: float) -> None:
    """Each proxy's CPU while nobody sends it anything: its background threads."""
    pids = [m.proxy.process.pid for m in measured]
    before = [sum(_cpu(p)) for p in pids if p is not None]
    await asyncio.sleep(seconds)
    after = [sum(_cpu(p)) for p in pids if p is not None]
    for m, b, a in zip(measured, before, after, strict=True):
        m.idle_cpu_per_s = (a - b) / seconds


def _audit(data_dir: Path, expected: int) -> dict[str, object]:
    """Request events recorded, and the lake's bytes per event: as the live segments hold
    them at the end, and rewritten as one compacted zstd Parquet file."""
    import duckdb

    from warden.store.layout import StoreLayout
    from warden.store.segments import list_segments, live_segments

    count = count_audit_events(data_dir, expected, wait_s=10.0)
    live = live_segments(list_segments(StoreLayout(data_dir).events_dir))
    live_bytes = sum(s.path.stat().st_size for s in live)
    files = [str(s.path) for s in live]
    out = data_dir.parent / "compacted.parquet"
    con = duckdb.connect()
    try:
        rows = con.execute("SELECT count(*) FROM read_parquet($1)", [files]).fetchone()
        events = int(rows[0]) if rows else 0
        con.execute(
            f"COPY (SELECT * FROM read_parquet({files!r}) ORDER BY seq) TO '{out}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        prompt = con.execute(
            "SELECT avg(length(prompt_text)), avg(request_bytes) FROM read_parquet($1) "
            "WHERE type = 'request'",
            [files],
        ).fetchone()
    finally:
        con.close()
    compacted = out.stat().st_size
    return {
        "request_events": count,
        "sent": expected,
        "events_in_lake": events,
        "live_segments": len(live),
        "live_bytes_per_event": round(live_bytes / events, 1) if events else None,
        "compacted_bytes_per_event": round(compacted / events, 1) if events else None,
        "avg_prompt_chars_captured": round(prompt[0] or 0) if prompt else None,
        "avg_request_bytes": round(prompt[1] or 0) if prompt else None,
    }


def _start(
    work: Path, stack: contextlib.ExitStack, chosen: list[Workload]
) -> tuple[st.Upstream, list[Measured]]:
    _progress(f"starting the upstream mock and {len(chosen)} x warden run ...")
    upstream = st.start_upstream(stack, work)
    measured = []
    for w in chosen:
        policy = st.ALLOW_ALL_POLICY if w.policy == "allow-all" else st.DEFAULT_POLICY.read_text()
        proxy = st.start_warden(stack, work, upstream, policy, name=f"warden-{w.key}")
        route = Route(st.HOSTNAME, ("127.0.0.1", proxy.port), True, client_context(str(proxy.ca)))
        measured.append(Measured(w, proxy, route, Stamped(w.template)))
    return upstream, measured


async def _probe_stream(m: Measured) -> None:
    samples, _ = await run_load(m.route, m.payload, 1, 0.01)
    if not samples.ns:
        raise BenchError(f"[{m.workload.label}] the streamed probe got no answer")


def _run(work: Path, stack: contextlib.ExitStack, settings: Settings) -> list[Measured]:
    _upstream, measured = _start(work, stack, workloads(settings is QUICK))

    async def measure() -> None:
        for m in measured:
            _progress(f"[{m.workload.label}] probe + {settings.warmup_s:g} s warmup")
            if m.workload.stream:
                await _probe_stream(m)
            else:
                await probe(m.route, m.payload)
            m.sent += 1
            warm, refused = await run_load(
                m.route, m.payload, m.workload.concurrency, settings.warmup_s
            )
            m.sent += len(warm.ns) + refused
        await asyncio.sleep(SETTLE_S)
        _progress(f"idle CPU of each proxy over {settings.idle_s:g} s")
        await _idle(measured, settings.idle_s)
        seconds = settings.duration_s / settings.rounds
        for round_ in range(settings.rounds):
            order = measured if round_ % 2 == 0 else list(reversed(measured))
            for m in order:
                _progress(
                    f"round {round_ + 1}/{settings.rounds} [{m.workload.label}] {seconds:g} s"
                )
                await _round(m, seconds)

    asyncio.run(measure())
    for m in measured:
        assert m.proxy.data_dir is not None
        m.audit = _audit(m.proxy.data_dir, m.sent)
    return measured


# --- the audit lake's bytes per event, with texts that do not repeat ---------------------
# The end-to-end rows send near-identical prompts, which zstd compresses to almost nothing:
# their bytes per event say little about real traffic. Here every event's captured prompt
# and answer are different text: English words for chats, real source code for coding.

LAKE_CHAT_EVENTS = 5_000
LAKE_CODING_EVENTS = 300
CAPTURE_CHARS = 65_536  # the store's capture cut (docs/audit-log.md)


def _distinct_code(total: int) -> str:
    """`total` characters of source code without repeats: site-packages' .py files in order."""
    root = Path(mitmproxy.__file__).parents[1]
    parts, size = [], 0
    for path in sorted(root.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        parts.append(text)
        size += len(text)
        if size >= total:
            break
    return "".join(parts)[:total]


def lake_bytes_per_event() -> dict[str, dict[str, float]]:
    """Bytes per event in one compacted zstd segment, written by the real StoreWriter."""
    import dataclasses

    import duckdb
    from faker import Faker

    from benchmarks.store_ingest import make_event
    from warden.store.segments import list_segments, live_segments
    from warden.store.writer import StoreWriter

    fake = Faker("en_US")
    fake.seed_instance(16)
    code = _distinct_code(LAKE_CODING_EVENTS * (CAPTURE_CHARS + 3_000))
    kinds = {
        "chat": (
            LAKE_CHAT_EVENTS,
            lambda i: (fake.text(max_nb_chars=600), fake.text(max_nb_chars=1_500)),
        ),
        "coding": (
            LAKE_CODING_EVENTS,
            lambda i: (
                code[i * (CAPTURE_CHARS + 3_000) :][:CAPTURE_CHARS],
                code[i * (CAPTURE_CHARS + 3_000) + CAPTURE_CHARS :][:3_000],
            ),
        ),
    }
    figures = {}
    for kind, (count, texts) in kinds.items():
        with tempfile.TemporaryDirectory(prefix="warden-sizing-lake-") as tmp:
            events = []
            for i in range(count):
                prompt, answer = texts(i)
                events.append(
                    dataclasses.replace(make_event(i), prompt_text=prompt, response_text=answer)
                )
            captured = sum(len(e.prompt_text or "") + len(e.response_text or "") for e in events)
            writer = StoreWriter(Path(tmp))
            writer.start()
            started = time.perf_counter()
            for event in events:
                writer.append(event)
            if not writer.flush(timeout_s=600):
                raise BenchError("the audit writer did not flush")
            flushed = time.perf_counter() - started
            writer.close()
            live = live_segments(list_segments(Path(tmp) / "events"))
            files = [str(segment.path) for segment in live]
            out = Path(tmp) / "compacted.parquet"

            con = duckdb.connect()
            try:
                con.execute(
                    f"COPY (SELECT * FROM read_parquet({files!r}) ORDER BY seq) TO '{out}' "
                    "(FORMAT parquet, COMPRESSION zstd)"
                )
                row = con.execute("SELECT count(*) FROM read_parquet($1)", [str(out)]).fetchone()
            finally:
                con.close()
            stored = int(row[0]) if row else 0
            if stored != count:
                raise BenchError(f"lake: {stored} of {count} events stored")
            figures[kind] = {
                "events": count,
                "captured_chars_per_event": round(captured / count),
                "bytes_per_event": round(out.stat().st_size / count, 1),
                "burst_events_per_s": round(count / flushed),
            }
    return figures


# --- the report -----------------------------------------------------------------------------


def _print(settings: Settings, measured: list[Measured]) -> None:
    print()
    print(
        f"{settings.duration_s:g} s per workload in {settings.rounds} interleaved round(s) after "
        f"{settings.warmup_s:g} s warmup; CPU read from /proc over each round plus a "
        f"{SETTLE_S:g} s settle; ms of CPU per request served."
    )
    print()
    head = (
        f"{'workload':<26}{'body B':>8}{'c':>4}{'requests':>10}{'503':>5}{'req/s':>8}"
        f"{'proxy ms':>10}{'helpers ms':>12}{'total ms':>10}{'req/s/core':>12}"
        f"  rounds (total ms)"
    )
    print(head)
    print("-" * len(head))
    for m in measured:
        proxy, helpers, total = m.ms()
        rps = m.requests / m.seconds if m.seconds else 0.0
        rounds = " ".join(f"{r:.2f}" for r in m.rounds_ms)
        print(
            f"{m.workload.label:<26}{m.workload.body_bytes:>8}{m.workload.concurrency:>4}"
            f"{m.requests:>10}{m.refused:>5}{rps:>8.0f}{proxy:>10.2f}{helpers:>12.2f}{total:>10.2f}"
            f"{1000 / total if total else 0:>12.0f}  {rounds}"
        )
    if any(m.refused for m in measured):
        print(
            "  503: requests refused because their DLP scan outlasted the policy's timeout "
            "(the machine was busy); their CPU is in the figures, so those rows read high."
        )
    print()
    by_key = {m.workload.key: m for m in measured}

    def total(key: str) -> float:
        return by_key[key].ms()[2]

    ratios = (
        ("default policy / allow-all (chat)", "chat_default", "chat_allow_all"),
        ("coding 100 KB memo / chat, default policy", "coding_memo", "chat_default"),
        ("coding 100 KB fresh / coding 100 KB memo", "coding_fresh", "coding_memo"),
        ("streamed / non-streamed chat, allow-all", "stream_allow_all", "chat_allow_all"),
        ("streamed / non-streamed chat, default", "stream_default", "chat_default"),
    )
    print("ratios of total CPU per request:")
    for label, top, bottom in ratios:
        if top in by_key and bottom in by_key:
            print(f"  {label + ':':<44}{total(top) / total(bottom):6.2f}")
    print()
    print("idle CPU of each proxy (background threads), % of one core:")
    print("  " + ", ".join(f"{m.workload.label} {100 * m.idle_cpu_per_s:.1f}" for m in measured))
    print()
    print(
        "audit lake per workload (request events recorded of sent; bytes per event, but these "
        "prompts repeat, so they compress far better than real ones: see below):"
    )
    for m in measured:
        a = m.audit
        print(
            f"  {m.workload.label:<26} {a['request_events']} of {a['sent']};"
            f" live segments {a['live_bytes_per_event']} B/event ({a['live_segments']} files),"
            f" compacted {a['compacted_bytes_per_event']} B/event;"
            f" prompt captured {a['avg_prompt_chars_captured']} chars"
        )


def _print_lake(lake: dict[str, dict[str, float]]) -> None:
    print()
    print("audit lake, texts that do not repeat (in-process StoreWriter, one zstd segment):")
    for kind, f in lake.items():
        print(
            f"  {kind:<8} {f['events']:>7,} events, {f['captured_chars_per_event']:>7,} "
            f"characters captured per event: {f['bytes_per_event']:>9,.0f} bytes/event; "
            f"burst append + flush {f['burst_events_per_s']:,.0f} events/s"
        )


def _commit() -> str:
    """The checkout's commit, with "+changes" when its tracked files differ from it."""
    import subprocess

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=st.REPO, capture_output=True, text=True)
        return run.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sizing", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="one 4 s round per workload")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = QUICK if args.quick else FULL
    reason = mount_namespace_skip_reason()
    if reason:
        print(f"sizing: cannot run here: {reason}", file=sys.stderr)
        return 2
    info = machine()
    info["commit"] = _commit()
    for line in machine_lines(info):
        print(line, flush=True)
    print(f"warden run from {st.REPO} at {info['commit']}", flush=True)
    with Path("/proc/loadavg").open() as f:
        load_before = f.read().split()[:3]
    print(f"load average before the run: {' '.join(load_before)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="warden-sizing-") as tmp:
        work = Path(tmp)
        try:
            with contextlib.ExitStack() as stack:
                measured = _run(work, stack, settings)
        except (BenchError, RuntimeError, OSError, TimeoutError) as e:
            print(f"sizing: benchmark failed: {type(e).__name__}: {e}", file=sys.stderr)
            for log in sorted(work.rglob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {log.relative_to(work)} ---\n" + "\n".join(tail), file=sys.stderr)
            return 1
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    _progress("audit lake: bytes per event with texts that do not repeat ...")
    lake = lake_bytes_per_event()
    _print(settings, measured)
    _print_lake(lake)
    print(f"\nload average after the run: {' '.join(load_after)}")
    missing = [m for m in measured if int(m.audit["request_events"]) < m.sent]  # type: ignore[call-overload]
    if args.json:
        figures = {
            "machine": info,
            "load_average": {"before": load_before, "after": load_after},
            "settings": asdict(settings),
            "settle_s": SETTLE_S,
            "workloads": {m.workload.key: m.to_dict() for m in measured},
            "lake_distinct_texts": lake,
            "median_round_total_ms": {
                m.workload.key: round(statistics.median(m.rounds_ms), 3)
                for m in measured
                if m.rounds_ms
            },
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if missing:
        print(
            "sizing: some requests have no audit event: "
            + ", ".join(m.workload.label for m in missing),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
