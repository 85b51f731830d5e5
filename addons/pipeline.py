"""The one addon mitmproxy sees: it runs Warden's stages, in order, for every hook.

mitmproxy pays for each registered addon on every hook event, whether or not the addon
handles it: a context manager, a coroutine and a generator walk per addon per event. With
thirteen stages registered one by one that came to roughly 300 µs per request, a third of
what bare mitmdump spends on the whole request. Registered as one addon, each stage's
handlers are looked up once, at start, and called directly.

Errors are handled as mitmproxy handles them between addons: a stage that raises is logged
("Addon error") and the next stage still runs; AddonHalt stops the chain, and OptionsError
goes back to whoever set the option.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

from mitmproxy import exceptions, hooks

from addons import heap

__all__ = ["WardenPipeline"]

log = logging.getLogger("warden.pipeline")

type Handler = Callable[..., Any]


class WardenPipeline:
    def __init__(self, stages: Sequence[object]) -> None:
        self.stages = tuple(stages)  # not `addons`: mitmproxy would dispatch to them again
        for name in hooks.all_hooks:
            handlers = [h for s in self.stages if callable(h := getattr(s, name, None))]
            if not handlers:
                continue
            if name == "running":
                handlers.append(heap.settle)  # after every stage has loaded what it keeps
            if any(inspect.iscoroutinefunction(h) for h in handlers):
                setattr(self, name, _async_dispatch(handlers))
            else:
                setattr(self, name, _sync_dispatch(handlers))

    def stage[T](self, kind: type[T]) -> T:
        """The stage of this class."""
        for stage in self.stages:
            if isinstance(stage, kind):
                return stage
        raise LookupError(kind.__name__)


def _sync_dispatch(handlers: list[Handler]) -> Handler:
    def dispatch(*args: Any) -> None:
        for handler in handlers:
            try:
                handler(*args)
            except (exceptions.AddonHalt, exceptions.OptionsError):
                raise
            except Exception as e:
                _report(handler, e)

    return dispatch


def _async_dispatch(handlers: list[Handler]) -> Handler:
    async def dispatch(*args: Any) -> None:
        for handler in handlers:
            try:
                result = handler(*args)
                if result is not None and inspect.isawaitable(result):
                    await result
            except (exceptions.AddonHalt, exceptions.OptionsError):
                raise
            except Exception as e:
                _report(handler, e)

    return dispatch


def _report(handler: Handler, error: Exception) -> None:
    owner = type(getattr(handler, "__self__", handler)).__name__
    log.error("Addon error in %s.%s: %s", owner, handler.__name__, error, exc_info=True)
