"""`warden run`'s mitmproxy master: the same addons and options as mitmdump, and a hook dispatch
that calls the same handlers in the same order as mitmproxy's own, failures included."""

from __future__ import annotations

import logging
import types

import pytest
from mitmproxy import addonmanager, exceptions, hooks, master, options
from mitmproxy.proxy.layers import http
from mitmproxy.test import tflow
from mitmproxy.tools.dump import DumpMaster

from addons.master import HookDispatch, WardenMaster


class Recorder:
    """Handles requestheaders (sync) and request (async); records each call."""

    def __init__(self, name: str, calls: list[str]) -> None:
        self.name, self.calls = name, calls

    def requestheaders(self, flow) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(f"{self.name}.requestheaders")

    async def request(self, flow) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(f"{self.name}.request")

    def update(self, flows) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(f"{self.name}.update")


class WithScripts(Recorder):
    """Like mitmproxy's ScriptLoader: sub-addons in an `addons` attribute get hooks too."""

    def __init__(self, name: str, calls: list[str], children: list[object]) -> None:
        super().__init__(name, calls)
        self.addons = children


class Failing(Recorder):
    def request(self, flow) -> None:  # type: ignore[no-untyped-def,override]
        self.calls.append(f"{self.name}.request")
        raise RuntimeError(f"{self.name} bug")


class Halting(Recorder):
    def requestheaders(self, flow) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(f"{self.name}.requestheaders")
        raise exceptions.AddonHalt()


class RejectsOption(Recorder):
    async def request(self, flow) -> None:  # type: ignore[no-untyped-def]
        raise exceptions.OptionsError("bad option")


class ImportsLog(Recorder):
    """A script that did `from mitmproxy import log`: the module is not a hook handler."""

    def __init__(self, name: str, calls: list[str]) -> None:
        super().__init__(name, calls)
        self.response = types.ModuleType("response")


def _chain(calls: list[str]) -> list[object]:
    # Names must be unique per manager; Failing's sub-addon after it must be skipped.
    return [
        Recorder("first", calls),
        WithScripts(
            "loader",
            calls,
            [Recorder("script1", calls), Failing("script2", calls), Recorder("script3", calls)],
        ),
        ImportsLog("imports", calls),
        Failing("broken", calls),
        Recorder("after", calls),
        Halting("halt", calls),
        Recorder("never", calls),
    ]


async def _run(manager_class: type[addonmanager.AddonManager], caplog) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    m = master.Master(options.Options())
    m.addons = manager_class(m)
    m.addons.add(*_chain(calls))
    flow = tflow.tflow()
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        await m.addons.handle_lifecycle(http.HttpRequestHeadersHook(flow))
        await m.addons.handle_lifecycle(http.HttpRequestHook(flow))
        await m.addons.handle_lifecycle(http.HttpResponseHook(flow))
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    return calls, "\n".join(errors)


@pytest.mark.asyncio
async def test_hooks_reach_the_same_handlers_in_the_same_order_as_mitmproxys_dispatch(
    caplog,
) -> None:  # type: ignore[no-untyped-def]
    stock_calls, stock_errors = await _run(addonmanager.AddonManager, caplog)
    ours_calls, ours_errors = await _run(HookDispatch, caplog)
    assert ours_calls == stock_calls
    assert ours_errors == stock_errors
    # What that order is: scripts are reached, a failing handler skips the rest of its own
    # tree only, AddonHalt ends the event, and each flow event is followed by an update.
    assert ours_calls[:6] == [
        "first.requestheaders",
        "loader.requestheaders",
        "script1.requestheaders",
        "script2.requestheaders",
        "script3.requestheaders",
        "imports.requestheaders",
    ]
    assert "never.requestheaders" not in ours_calls
    assert "script3.request" not in ours_calls and "after.request" in ours_calls
    assert ours_calls.count("never.update") == 3
    assert ours_errors == "Addon error: script2 bug\nAddon error: broken bug"


@pytest.mark.asyncio
async def test_an_options_error_reaches_the_caller() -> None:
    m = master.Master(options.Options())
    m.addons = HookDispatch(m)
    m.addons.add(RejectsOption("strict", []))
    with pytest.raises(exceptions.OptionsError, match="bad option"):
        await m.addons.trigger_event(hooks.UpdateHook([]))  # no handler: nothing raised
        await m.addons.trigger_event(http.HttpRequestHook(tflow.tflow()))


@pytest.mark.asyncio
async def test_a_non_callable_handler_is_an_error_as_in_mitmproxy(caplog) -> None:  # type: ignore[no-untyped-def]
    holder = Recorder("odd", [])
    holder.response = "not a function"  # type: ignore[attr-defined]
    m = master.Master(options.Options())
    m.addons = HookDispatch(m)
    m.addons.add(holder)
    with caplog.at_level(logging.ERROR):
        await m.addons.trigger_event(http.HttpResponseHook(tflow.tflow()))
    assert "Addon handler response" in caplog.text and "not callable" in caplog.text


@pytest.mark.asyncio
async def test_warden_master_has_mitmdumps_addons_and_every_option() -> None:
    """Every option mitmdump knows exists here (its printer's aside); warden run decides
    which of them `--set` may change (tests/test_proxy_options.py)."""
    ours = WardenMaster(options.Options())
    stock = DumpMaster(options.Options(), with_termlog=True, with_dumper=False)
    assert isinstance(ours.addons, HookDispatch)
    assert [type(a) for a in ours.addons.chain] == [type(a) for a in stock.addons.chain]
    assert set(ours.options.keys()) == set(stock.options.keys())
    assert set(ours.commands.commands) == set(stock.commands.commands)
