"""Proves the test hosts of tests/support/netns_hosts.py: each namespace reaches the test's end
of its own veth and nothing beyond it, and every namespace and link is gone afterwards, also
when the test using them fails."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.netns_hosts import NetnsHost, joined_hosts, netns_skip_reason


@pytest.fixture(autouse=True)
def _needs_netns() -> None:
    reason = netns_skip_reason()
    if reason:
        pytest.skip(reason)


def _inside(host: NetnsHost, *cmd: str) -> str:
    return subprocess.run(
        host.command(list(cmd)), capture_output=True, text=True, check=True, timeout=30
    ).stdout


def _left_behind(hosts: list[NetnsHost]) -> list[str]:
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    links = subprocess.run(["ip", "-br", "link"], capture_output=True, text=True).stdout
    return [h.namespace for h in hosts if h.namespace in namespaces] + [
        h.link for h in hosts if h.link in links
    ]


def test_each_host_has_its_own_subnet_and_no_route_off_it() -> None:
    with joined_hosts(2) as hosts:
        a, b = hosts
        assert a.network != b.network
        routes = _inside(a, "ip", "-4", "route")
        assert "default" not in routes
        assert [line.split()[0] for line in routes.splitlines()] == [a.network]  # its own /24
        assert f"inet {a.ip}/24" in _inside(a, "ip", "-4", "addr")
    assert _left_behind(hosts) == []


def test_hosts_are_removed_when_the_test_fails() -> None:
    made: list[NetnsHost] = []
    with pytest.raises(RuntimeError, match="the test failed"), joined_hosts(1) as hosts:
        made += hosts
        raise RuntimeError("the test failed")
    assert made and _left_behind(made) == []
