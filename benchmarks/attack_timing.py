"""Time the three text detectors per prompt, on this tree and on a baseline revision, in one run.

  .venv/bin/python -m benchmarks.attack_timing [--baseline main] [--repeat 30]

The baseline's warden/ package is exported with `git archive` to a temporary directory and
timed in a child process with the same prompts; this tree is timed in another child, so both
start equally cold. Figures: the minimum over `repeat` batches of the mean per call, in µs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from tests.alerts.attack_corpus import generate

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, sys, time
from warden.alerts.config import DetectorSettings
from warden.alerts.detectors import TEXT_DETECTOR_NAMES, run_detectors, text_context
prompts, repeat = json.load(open(sys.argv[1])), int(sys.argv[2])
settings = DetectorSettings()
out = {}
for name, texts in prompts.items():
    for t in texts:
        run_detectors(text_context(t), settings, TEXT_DETECTOR_NAMES)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for t in texts:
            run_detectors(text_context(t), settings, TEXT_DETECTOR_NAMES)
        best = min(best, (time.perf_counter() - start) / len(texts))
    out[name] = best * 1e6
print(json.dumps(out))
"""


def prompts() -> dict[str, list[str]]:
    generated = generate(7, 20)
    benign = [p.text for p in generated if not p.attack]
    attacks = [p.text for p in generated if p.attack]
    long_attacks = [t for t in attacks if len(t) > 600][:20]
    prose = (
        "The committee met on Tuesday and discussed the budget for next year, for example "
        "the travel line, and agreed to ignore the previous forecast. "
    )
    document = (prose * (30_000 // len(prose) + 1))[:30_000]
    code = ("def handler(request):\n    return override(request, developer=True)\n" * 600)[:30_000]

    def mean(texts: list[str]) -> int:
        return sum(map(len, texts)) // len(texts)

    return {
        f"benign short (mean {mean(benign)} chars)": benign,
        f"attacks (mean {mean(attacks)} chars)": attacks,
        f"long jailbreaks (mean {mean(long_attacks)} chars)": long_attacks,
        "30 KB prose": [document],
        "30 KB code": [code],
    }


def export(revision: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", revision, "warden"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def timed(tree: Path, inputs: Path, repeat: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(inputs), str(repeat)],
        env=env, cwd=tree, check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "prompts.json"
        inputs.write_text(json.dumps(prompts()))
        base = Path(tmp) / "baseline"
        export(args.baseline, base)
        before = timed(base, inputs, args.repeat)
        after = timed(ROOT, inputs, args.repeat)
    print(f"{'prompts':<34} {args.baseline:>12} {'this tree':>12}  ratio")
    for name in before:
        ratio = after[name] / before[name]
        print(f"{name:<34} {before[name]:>9.1f} µs {after[name]:>9.1f} µs  {ratio:.2f}x")


if __name__ == "__main__":
    main()
