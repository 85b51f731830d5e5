"""eventually(): a wait ends on the event, and a wait that fails says what it last saw."""

from __future__ import annotations

import itertools
import time

import pytest

from tests.support.eventually import eventually


def test_returns_the_first_truthy_value_without_waiting_longer() -> None:
    calls = itertools.count(1)
    started = time.monotonic()
    assert eventually(lambda: [n] if (n := next(calls)) >= 3 else [], interval=0.01) == [3]
    assert time.monotonic() - started < 1


def test_an_exception_means_not_yet() -> None:
    calls = itertools.count(1)

    def check() -> int:
        n = next(calls)
        if n < 3:
            raise KeyError(n)
        return n

    assert eventually(check, interval=0.01) == 3


def test_on_timeout_it_fails_with_the_message_and_the_last_value() -> None:
    queue = [1, 2]
    with pytest.raises(AssertionError, match=r"queue holds \[1, 2\]: last returned False"):
        eventually(lambda: not queue, timeout=0.1, message=lambda: f"queue holds {queue}")


def test_on_timeout_it_fails_with_the_last_exception() -> None:
    with pytest.raises(AssertionError, match=r"last raised KeyError\('alice'\)") as failed:
        eventually(lambda: {}["alice"], timeout=0.1)
    assert isinstance(failed.value.__cause__, KeyError)
