"""Policy evaluation speed: one request against a 200-rule policy (target <= 50 us p50).

    .venv/bin/python -m benchmarks.policy_eval [--rules 200] [--iterations 20000]

The rules are a realistic mix (groups, apps, model and host globs, time windows, prompt
size, DLP findings) and the request matches none of them, so every rule is evaluated: the
worst case for first-match evaluation.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import UTC, datetime

from warden.dlp.types import Finding
from warden.policy import Policy, PolicyContext, compile_policy, evaluate


def make_policy(n: int) -> Policy:
    shapes = [
        lambda i: {"groups": [f"team-{i}"], "apps": ["openai", "anthropic"]},
        lambda i: {"models": [f"model-{i}-*", f"other-{i}*"], "kinds": ["api"]},
        lambda i: {"hosts": [f"*.tenant{i}.openai.azure.com"]},
        lambda i: {"users": [f"user{i}@corp.example", f"svc-{i}"]},
        lambda i: {
            "sanctioned": ["unsanctioned"],
            "time": {"days": ["sat", "sun"], "timezone": "Europe/Berlin"},
        },
        lambda i: {"prompt_tokens": {"min": 100_000 + i}, "endpoints": ["chat"]},
        lambda i: {"dlp": {"entities": ["PRIVATE_KEY"], "min_count": 2}},
        lambda i: {"source_cidrs": [f"10.{i % 250}.0.0/16"], "providers": ["Mistral"]},
    ]
    rules = [
        {"id": f"rule-{i}", "match": shapes[i % len(shapes)](i), "action": "block"}
        for i in range(n)
    ]
    return Policy.model_validate({"default_action": "monitor", "rules": rules})


CONTEXT = PolicyContext(
    user="alice@corp.example",
    groups=("engineering", "staff"),
    client_ip="192.168.1.20",
    app="openai",
    vendor="OpenAI",
    kind="api",
    sanctioned="tolerated",
    host="api.openai.com",
    endpoint="chat",
    model="gpt-4o-mini",
    prompt_tokens=350,
    prompt_bytes=1400,
    findings=(Finding("EMAIL_ADDRESS", ("messages", 0, "content"), 3, 20, 0.9, "h", "a...m"),),
    now=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
)


def measure(fn, iterations: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(min(1000, iterations)):
        fn()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--iterations", type=int, default=20_000)
    args = parser.parse_args()
    policy = make_policy(args.rules)
    compiled = compile_policy(policy)
    assert evaluate(compiled, CONTEXT).rule_id is None, "the request must match no rule"
    fast = measure(lambda: evaluate(compiled, CONTEXT), args.iterations)
    explained = measure(lambda: evaluate(compiled, CONTEXT, explain=True), args.iterations // 10)
    start = time.perf_counter()
    compile_policy(policy)
    compile_ms = (time.perf_counter() - start) * 1000

    def pct(samples: list[float], q: float) -> float:
        return statistics.quantiles(samples, n=100)[int(q) - 1]

    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"policy: {args.rules} rules, request matches none (every rule evaluated)")
    print(f"compile once per load: {compile_ms:.1f} ms")
    print(
        f"evaluate (proxy path)  p50 {statistics.median(fast):7.1f} us   "
        f"p99 {pct(fast, 99):7.1f} us"
    )
    print(
        f"evaluate with trace    p50 {statistics.median(explained):7.1f} us   "
        f"p99 {pct(explained, 99):7.1f} us   (warden policy test)"
    )
    target = 50.0
    verdict = "PASS" if statistics.median(fast) <= target else "MISS"
    print(f"target: p50 <= {target:.0f} us for {args.rules} rules ... {verdict}")


if __name__ == "__main__":
    main()
