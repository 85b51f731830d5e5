"""Tripwire for addons/master.py: HookDispatch rewrites mitmproxy's per-event dispatch, so it
must be re-read whenever mitmproxy changes the code it mirrors.

If this fails after a mitmproxy upgrade: read the new versions of the functions named in the
failure, change HookDispatch.trigger_event if their behaviour changed (order, error handling,
AddonHalt, sub-addons, non-callable handlers), check tests/test_master.py still compares
against the stock manager, and only then record the new fingerprints below.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect

import pytest
from mitmproxy import addonmanager, exceptions, hooks, master, options

from addons.master import HookDispatch  # also registers every hook mitmproxy's layers define

# sha256 of each mirrored function's source, first 16 hex digits (mitmproxy 12.2.3).
MIRRORED = {
    "AddonManager.trigger_event": "b763c59bc4992e33",
    "AddonManager.invoke_addon": "13180532440359de",
    "AddonManager.invoke_addon_sync": "212818268a95797b",
    "AddonManager.handle_lifecycle": "38c97e792d1db5b7",
    "safecall": "f2052c18340e99b0",
    "traverse": "bad3d9f88bdf9269",
}
# Every hook's name and argument fields: a new, removed or reshaped hook changes it.
HOOKS = "6976b54246116491"


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _mirrored_now() -> dict[str, str]:
    functions = (
        addonmanager.AddonManager.trigger_event,
        addonmanager.AddonManager.invoke_addon,
        addonmanager.AddonManager.invoke_addon_sync,
        addonmanager.AddonManager.handle_lifecycle,
        addonmanager.safecall,
        addonmanager.traverse,
    )
    return {f.__qualname__: _fingerprint(inspect.getsource(f)) for f in functions}


def test_the_mitmproxy_dispatch_that_hookdispatch_mirrors_has_not_changed() -> None:
    changed = sorted(
        name for name, digest in _mirrored_now().items() if MIRRORED.get(name) != digest
    )
    assert not changed, f"re-read and re-check HookDispatch against: {', '.join(changed)}"


def test_the_hook_definitions_have_not_changed() -> None:
    shapes = sorted(
        (name, tuple(f.name for f in dataclasses.fields(hook)))
        for name, hook in hooks.all_hooks.items()
    )
    assert len(shapes) > 40, "the import above no longer registers mitmproxy's hooks"
    assert _fingerprint(repr(shapes)) == HOOKS, (
        "mitmproxy's hooks changed: check WardenPipeline (addons/pipeline.py, which builds a "
        "dispatcher per hook name) and HookDispatch still see every event"
    )


# The behaviours mitmproxy's own addon-manager tests check, run against both dispatches.


class _Named:
    def __init__(self, name: str, children: list[object] | None = None) -> None:
        self.name, self.seen = name, 0
        if children:
            self.addons = children

    def running(self) -> None:
        self.seen += 1


class _Halts:
    def running(self) -> None:
        raise exceptions.AddonHalt


def _manager(kind: type[addonmanager.AddonManager]) -> addonmanager.AddonManager:
    m = master.Master(options.Options())
    m.addons = kind(m)
    return m.addons


async def _nesting(kind: type[addonmanager.AddonManager]) -> list[object]:
    manager = _manager(kind)
    four = _Named("four")
    three = _Named("three", [four])
    two = _Named("two")
    manager.add(_Named("one", [two, three]))
    await manager.trigger_event(hooks.RunningHook())
    seen: list[object] = [(two.seen, three.seen, four.seen)]
    manager.remove(three)  # unregistered by name; its parent still lists it
    await manager.trigger_event(hooks.RunningHook())
    return [*seen, (two.seen, three.seen, four.seen), manager.get("four")]


@pytest.mark.asyncio
async def test_nested_addons_get_events_as_in_mitmproxy() -> None:
    stock, ours = await _nesting(addonmanager.AddonManager), await _nesting(HookDispatch)
    assert ours == stock
    assert ours[0] == (1, 1, 1) and ours[2] is None


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", [addonmanager.AddonManager, HookDispatch])
async def test_a_halt_stops_the_event_until_the_halting_addon_is_removed(
    kind: type[addonmanager.AddonManager],
) -> None:
    manager = _manager(kind)
    halt, end = _Halts(), _Named("end")
    manager.add(halt, end)
    await manager.trigger_event(hooks.RunningHook())
    assert end.seen == 0
    manager.remove(halt)
    await manager.trigger_event(hooks.RunningHook())
    assert end.seen == 1
