"""Run a `warden` command in the test's own process, as the shell would see it.

A subprocess costs a second or more of interpreter start and imports for each command; the
unit tier runs dozens. `warden.cli.main` is the same entry point the console script calls, so
only what happens before `main` (the interpreter, the environment at start) is not exercised
here: tests about that (tests/test_key_log.py, the entry-point test in tests/test_cli.py)
keep a real process.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_warden(*args: str, stdin: str = "", cwd: Path | None = None) -> CliResult:
    from warden.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous_dir = Path.cwd()
    previous_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse's usage errors, as the shell sees them
                code = e.code if isinstance(e.code, int) else 1
    finally:
        sys.stdin = previous_stdin
        os.chdir(previous_dir)
    return CliResult(code, out.getvalue(), err.getvalue())
