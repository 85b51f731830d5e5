"""The one way tests wait: check until it holds, or fail saying what was last seen."""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually[T](
    check: Callable[[], T], timeout: float = 10.0, interval: float = 0.05, message: str = ""
) -> T:
    """Call `check` until it returns something truthy (returned) or `timeout` seconds pass
    (AssertionError with the last value or exception)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            last: object = check()
        except AssertionError as e:
            last = e
        else:
            if last:
                return last  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"{message or 'not true'} after {timeout} s; last: {last!r}")
        time.sleep(interval)
