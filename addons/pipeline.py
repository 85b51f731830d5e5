"""The one addon mitmproxy sees: it runs Warden's stages, in order, for every hook.

mitmproxy pays for each registered addon on every hook event, whether or not the addon
handles it: a context manager, a coroutine and a generator walk per addon per event. With
thirteen stages registered one by one that came to roughly 300 µs per request, a third of
what bare mitmdump spends on the whole request. Registered as one addon, each stage's
handlers are looked up once, at start, and called directly.

A stage's hook returns None to let the request go on, or a Refusal (warden/refusal.py): the
pipeline hands it to refuse.py, the one place that answers the client and keeps the record,
and the later stages see a request that is already answered.

Errors are handled as mitmproxy handles them between addons: a stage that raises is logged
("Addon error") and the next stage still runs; AddonHalt stops the chain, and OptionsError
goes back to whoever set the option. One addition: a stage that raises while an AI request is
on its way in (requestheaders, request) leaves it uninspected, so the request is answered with
a 503 in its provider's format instead of being forwarded (fail closed), and the audit event
records the refusal with the stage's name (refuse.py).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

from mitmproxy import exceptions, hooks, http

from addons import heap
from addons.exchange import exchange
from addons.refuse import refuse
from warden.refusal import Refusal, Stage

__all__ = ["WardenPipeline"]

log = logging.getLogger("warden.pipeline")

# Hooks that run before an AI request is forwarded: a failure in one means it went unchecked.
INSPECTING_HOOKS = frozenset({"requestheaders", "request"})
INTERNAL_ERROR_CODE = "warden_internal_error"

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
                setattr(self, name, _async_dispatch(name, handlers))
            else:
                setattr(self, name, _sync_dispatch(name, handlers))

    def stage[T](self, kind: type[T]) -> T:
        """The stage of this class."""
        for stage in self.stages:
            if isinstance(stage, kind):
                return stage
        raise LookupError(kind.__name__)


def _sync_dispatch(name: str, handlers: list[Handler]) -> Handler:
    def dispatch(*args: Any) -> None:
        for handler in handlers:
            try:
                result = handler(*args)
                if result is not None:
                    _apply(result, args)
            except (exceptions.AddonHalt, exceptions.OptionsError):
                raise
            except Exception as e:
                _report(name, handler, e, args)

    return dispatch


def _async_dispatch(name: str, handlers: list[Handler]) -> Handler:
    async def dispatch(*args: Any) -> None:
        for handler in handlers:
            try:
                result = handler(*args)
                if result is not None and inspect.isawaitable(result):
                    result = await result
                if result is not None:
                    _apply(result, args)
            except (exceptions.AddonHalt, exceptions.OptionsError):
                raise
            except Exception as e:
                _report(name, handler, e, args)

    return dispatch


def _apply(result: object, args: tuple[Any, ...]) -> None:
    """A stage's answer other than "go on": a Refusal, applied to the flow in one place."""
    if isinstance(result, Refusal) and args and isinstance(args[0], http.HTTPFlow):
        refuse(args[0], result)


def _report(hook: str, handler: Handler, error: Exception, args: tuple[Any, ...]) -> None:
    stage = f"{type(getattr(handler, '__self__', handler)).__name__}.{handler.__name__}"
    log.error("Addon error in %s: %s", stage, error, exc_info=True)
    flow = args[0] if args else None
    if hook in INSPECTING_HOOKS and isinstance(flow, http.HTTPFlow):
        _refuse_unchecked(flow, stage, error)


def _refuse_unchecked(flow: http.HTTPFlow, stage: str, error: Exception) -> None:
    x = exchange(flow)
    if flow.response is not None or x.app is None or x.internal:
        return  # already answered, not an AI request, or Warden's own page
    message = (
        "Warden could not finish checking this request because of an internal error, so it "
        "was not sent. Please try again; if it keeps happening, contact your administrator."
    )
    # The type only: an exception's message may quote the request it choked on.
    reason = f"{stage} failed ({type(error).__name__}); the request was not sent"
    refuse(flow, Refusal(Stage.PIPELINE, 503, INTERNAL_ERROR_CODE, reason, message))
