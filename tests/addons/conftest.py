"""Fixtures shared by the in-process addon tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _unfrozen_heap() -> Iterator[None]:
    """Undo the gc.freeze() the DLP scanner's start does (addons/heap.py): in one test process
    it would keep every test's objects out of collection, and DuckDB's objects alive at exit
    are reported as leaks ("nanobind: leaked N instances!")."""
    yield
    gc.unfreeze()
