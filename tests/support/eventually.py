"""The one way a test waits for something another thread or process does: until it is so.

A wait ends as soon as the check holds, and fails with what the check last saw; a test never
waits for a fixed time, or for "quiet", to be fairly sure something has happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["eventually"]


def eventually[T](
    check: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.05,
    message: str | Callable[[], str] | None = None,
) -> T:
    """Call `check` until it returns a truthy value, and return that value.

    An exception from `check` counts as "not yet". When `timeout` seconds have passed, raise
    AssertionError with `message` (a callable is called then, to describe the state at the
    end) and the last value or exception `check` gave.
    """
    deadline = time.monotonic() + timeout
    while True:
        value: T | None = None
        error: Exception | None = None
        try:
            value = check()
        except Exception as e:
            error = e
        else:
            if value:
                return value
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    what = message() if callable(message) else message
    last = f"last raised {error!r}" if error is not None else f"last returned {value!r}"
    text = f"{what}: {last}" if what else f"not so within {timeout} s: {last}"
    raise AssertionError(text) from error
