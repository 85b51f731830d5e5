"""heap.settle(): what is alive when the proxy has started is kept out of later collections,
garbage lying around then is collected first rather than kept forever, and what is created
afterwards is collected as usual. (conftest.py unfreezes after each test.)"""

from __future__ import annotations

import gc
import weakref

from addons import heap
from addons.pipeline import WardenPipeline


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def _garbage_cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_garbage_from_start_up_is_collected_not_frozen() -> None:
    gc.collect()
    dead = _garbage_cycle()
    heap.settle()
    assert dead() is None


def test_without_collecting_first_the_garbage_would_stay_for_good() -> None:
    gc.collect()
    kept = _garbage_cycle()
    heap.settle(collect=False)
    gc.collect()
    assert kept() is not None  # why the default collects before it freezes


def test_what_is_alive_at_start_is_frozen_and_later_garbage_still_collected() -> None:
    before = gc.get_freeze_count()
    loaded = [Node() for _ in range(1000)]  # what a stage loads at start
    heap.settle()
    assert gc.get_freeze_count() >= before + len(loaded)
    later = _garbage_cycle()
    gc.collect()
    assert later() is None


def test_the_pipeline_settles_the_heap_after_every_stage_has_started() -> None:
    class Loads:
        def running(self) -> None:
            self.model = [Node() for _ in range(1000)]

    before = gc.get_freeze_count()
    WardenPipeline([Loads()]).running()  # type: ignore[attr-defined]
    assert gc.get_freeze_count() >= before + 1000
