"""A fleet of two: Warden A and Warden B, each on a test host of its own (a network namespace
joined to the test's by a veth, with its own address), sharing one real Redis (`--state`) and
one audit lake directory (`--data-dir`, each writing `events/<instance>/`).

What a user of the fleet notices: one quota between the two, a coaching pass granted by one
honoured by the other, one alert for a key raised on both, and after A is killed with kill -9
clients of B carry on while every request either forwarded to the provider is in the lake
once, as `warden logs query`, the store's reader and the dashboard's queries all show.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import duckdb
import httpx2
import pytest

from dashboard.queries.source import open_views
from tests.e2e.conftest import WARDEN, Warden
from tests.support import DEFAULT_HOSTNAMES, MockProviders, ProxyProcess, TestPKI, write_hosts_file
from tests.support.eventually import eventually
from tests.support.netns_hosts import NetnsHost, joined_hosts, netns_skip_reason
from tests.support.processes import port_accepts
from tests.support.redis_server import REDIS_SERVER, RedisServer
from warden.state.alerts import SqliteAlertStore
from warden.state.db import StateDB
from warden.store.journal import INTERRUPTED
from warden.store.layout import StoreLayout
from warden.store.reader import read_events
from warden.store.segments import live_lake_segments

pytestmark = pytest.mark.e2e

INSTANCES = ("a", "b")
PORT = 8080  # each test host has its own ports: both Wardens listen on 8080, as in a fleet
CHAT_URL = "https://api.openai.com/v1/chat/completions"
FAKE_KEY = "sk-test-" + "f" * 40  # the client's own credential; only the mock sees it
NUMBERED = re.compile(r"[?&]n=(\d+)")

QUOTA, SENT = 20, 60
QUOTA_POLICY = f"""
version: 1
default_action: allow
quotas:
  - {{id: per-user-minute, scope: user, requests: {QUOTA}, window: 1m}}
"""
COACH_POLICY = """
version: 1
default_action: monitor
rules:
  - id: coach-chatgpt
    match: {apps: [chatgpt-web]}
    action: coach
    message: "ChatGPT is not approved for customer data. Continue only if you must."
"""
# Format-valid, made up: a scoped OpenAI key with the marker every real one carries.
LEAKED_KEY = "sk-proj-" + "e2eFleetKeyNotReal01" + "T3BlbkFJ" + "qZ7xWv3Lm9Kp2Rt6Yb8Nc4Hd"
ALERT_POLICY = """
version: 1
default_action: monitor
dlp: {ner: false}
alerts:
  rules:
    - id: leaked-secret
      when: {detectors: [secret]}
      throttle: 10m
"""
MONITOR_POLICY = "version: 1\ndefault_action: monitor\n"
# The failover test's requests carry run=failover: the lake also holds the other tests' events.
RUN = "failover"
THIS_RUN = f"type = 'request' AND path LIKE '%&run={RUN}%'"
BROWSER = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "document"}


# ---- the fleet -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def test_hosts() -> Iterator[dict[str, NetnsHost]]:
    reason = netns_skip_reason()
    if reason:
        pytest.skip(reason)
    with joined_hosts(len(INSTANCES)) as hosts:
        yield dict(zip(INSTANCES, hosts, strict=True))


@pytest.fixture(scope="module")
def fleet_mock(pki: TestPKI, test_hosts: dict[str, NetnsHost]) -> Iterator[MockProviders]:
    """The providers, on loopback for the test and on each test host's end of its veth."""
    with MockProviders(pki, also_on=[h.host_ip for h in test_hosts.values()]) as providers:
        yield providers


@pytest.fixture(scope="module")
def shared_redis(
    tmp_path_factory: pytest.TempPathFactory, test_hosts: dict[str, NetnsHost]
) -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    server = RedisServer(
        tmp_path_factory.mktemp("fleet-redis"), bind=[h.host_ip for h in test_hosts.values()]
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Fleet:
    """Wardens "a" and "b", one per test host, sharing `lake` and one Redis."""

    hosts: dict[str, NetnsHost]
    lake: Path
    root: Path
    redis: RedisServer
    certs_dir: Path
    pki: TestPKI
    wardens: dict[str, Warden] = field(default_factory=dict)
    processes: list[ProxyProcess] = field(default_factory=list)

    @property
    def a(self) -> Warden:
        return self.wardens["a"]

    @property
    def b(self) -> Warden:
        return self.wardens["b"]

    def start(self, name: str) -> Warden:
        """Start (or start again) instance `name` on its test host, with its own files."""
        host, work = self.hosts[name], self.root / name
        work.mkdir(exist_ok=True)
        policy = work / "policy.yaml"
        if not policy.exists():
            policy.write_text(MONITOR_POLICY)
        identity = work / "identity.yaml"
        identity.write_text(self._identity())
        hosts_file = write_hosts_file(work / "hosts", host.host_ip, DEFAULT_HOSTNAMES)
        args = [
            *(str(WARDEN), "run", "--no-dashboard"),
            *("--listen-host", host.ip, "--listen-port", str(PORT)),
            *("--instance", name, "--data-dir", str(self.lake)),
            *("--state", self.redis.url_at(host.host_ip)),
            *("--certs-dir", str(self.certs_dir)),
            *("--policy", str(policy), "--identity", str(identity)),
            *("--set", f"ssl_verify_upstream_trusted_ca={self.pki.ca_cert}"),
            *("--set", "warden_audit_flush_ms=200", "--set", "warden_reload_ms=200"),
        ]
        process = ProxyProcess(
            host.command(args, hosts_file),
            PORT,
            host=host.ip,
            log_path=work / f"warden-{len(self.processes)}.log",  # a restart: a log of its own
            cwd=work,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.processes.append(process)
        process.start()
        ca = self.certs_dir / "mitmproxy-ca-cert.pem"
        warden = Warden(process, PORT, ca, self.lake, policy, host=host.ip)
        self.wardens[name] = warden
        return warden

    def _identity(self) -> str:
        """Both test hosts' clients are one person: the network map says alice."""
        lines = [
            f"  - {{cidr: {h.network}, user: alice, device: alice-laptop}}"
            for h in self.hosts.values()
        ]
        return "version: 1\nsources: [network]\nnetwork:\n" + "\n".join(lines) + "\n"

    def reconfigure(self, policy: str) -> None:
        for warden in self.wardens.values():
            warden.reconfigure(policy)

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


@pytest.fixture(scope="module")
def module_fleet(
    tmp_path_factory: pytest.TempPathFactory,
    test_hosts: dict[str, NetnsHost],
    fleet_mock: MockProviders,
    shared_redis: RedisServer,
    certs_dir: Path,
    pki: TestPKI,
) -> Iterator[Fleet]:
    root = tmp_path_factory.mktemp("fleet")
    fleet = Fleet(test_hosts, root / "lake", root, shared_redis, certs_dir, pki)
    try:
        for name in INSTANCES:  # one after the other: the first makes the shared CA
            fleet.start(name)
        yield fleet
    finally:
        fleet.stop()


@pytest.fixture
def fleet(module_fleet: Fleet, fleet_mock: MockProviders) -> Fleet:
    fleet_mock.clear()
    for warden in module_fleet.wardens.values():
        warden.begin_test()
    return module_fleet


# ---- clients ---------------------------------------------------------------------------------


def _post(warden: Warden, number: int, content: str = "fleet probe", run: str = "") -> int:
    """One chat request, numbered (and tagged with `run`), on a connection of its own; the
    status the client saw."""
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]}
    url = f"{CHAT_URL}?n={number}" + (f"&run={run}" if run else "")
    with warden.client() as client:
        answer = client.post(url, json=body, headers={"authorization": f"Bearer {FAKE_KEY}"})
        return answer.status_code


def _numbers_received(mock: MockProviders) -> Counter[int]:
    """How often the provider received each numbered request."""
    return Counter(
        int(parse_qs(r.query)["n"][0])
        for r in mock.requests()
        if r.path == "/v1/chat/completions" and "n=" in r.query
    )


def _numbered(paths: list[str]) -> Counter[int]:
    return Counter(int(m[1]) for p in paths if (m := NUMBERED.search(p or "")))


# ---- what users notice -----------------------------------------------------------------------


def test_one_quota_of_20_a_minute_holds_across_both_instances(
    fleet: Fleet, fleet_mock: MockProviders
) -> None:
    fleet.reconfigure(QUOTA_POLICY)
    # Even numbers through A, odd through B, 20 at a time.
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda n: _post(fleet.wardens[INSTANCES[n % 2]], n), range(SENT)))

    assert Counter(statuses) == {200: QUOTA, 429: SENT - QUOTA}
    received = _numbers_received(fleet_mock)
    assert sum(received.values()) == QUOTA, received  # what the provider saw
    assert sorted(received) == sorted(n for n, s in enumerate(statuses) if s == 200)


def test_a_coaching_pass_granted_through_a_is_honoured_by_b(
    fleet: Fleet, fleet_mock: MockProviders
) -> None:
    fleet.reconfigure(COACH_POLICY)
    with fleet.a.client() as via_a, fleet.b.client() as via_b:
        assert via_b.get("https://chatgpt.com/c/new", headers=BROWSER).status_code == 403
        page = via_a.get("https://chatgpt.com/c/new", headers=BROWSER)
        assert page.status_code == 403
        assert "ChatGPT is not approved for customer data" in page.text
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token is not None, page.text
        continued = via_a.post(
            "https://chatgpt.com/.warden/coach/continue",
            data={"token": token[1], "justification": "summarising a public press release"},
            headers=BROWSER,
        )
        assert continued.status_code == 303
        again = via_b.get("https://chatgpt.com/c/new", headers=BROWSER)

    # Through B to the (mock) web app: its own answer (a 404 for this page), not Warden's.
    assert "x-warden-decision" not in again.headers
    assert [r.path for r in fleet_mock.requests_to("chatgpt.com")] == ["/c/new"]


def test_one_alert_key_raised_on_both_instances_is_one_alert_counted_twice(
    fleet: Fleet, fleet_mock: MockProviders
) -> None:
    fleet.reconfigure(ALERT_POLICY)
    for number, warden in enumerate((fleet.a, fleet.b)):
        assert _post(warden, number, f"why? OpenAI(api_key='{LEAKED_KEY}')") == 200
    assert sum(_numbers_received(fleet_mock).values()) == 2

    store = SqliteAlertStore(StateDB.for_data_dir(fleet.lake))

    def counts() -> list[int]:
        return [v.alert["count"] for v in store.alerts() if v.alert["rule"] == "leaked-secret"]

    eventually(lambda: counts() == [2], 15, message=lambda: f"leaked-secret alerts: {counts()}")


def test_after_a_is_killed_b_serves_on_and_every_forwarded_request_is_in_the_lake_once(
    fleet: Fleet, fleet_mock: MockProviders
) -> None:
    fleet.reconfigure(MONITOR_POLICY)
    numbers, killed, stop = itertools.count(), threading.Event(), threading.Event()
    sent_to: dict[int, str] = {}
    b_statuses: list[int] = []  # every answer a client got through B

    def client(first: str) -> None:
        """Sends through `first`; once A refuses connections, through B, as a PAC file
        listing both (PROXY a; PROXY b) makes a browser do."""
        while not stop.is_set():
            target = "b" if first == "b" or killed.is_set() else "a"
            n = next(numbers)
            sent_to[n] = target
            try:
                status = _post(fleet.wardens[target], n, run=RUN)
            except httpx2.HTTPError:
                if target == "b":
                    raise
                continue  # A died under it (or refused it): the client learns nothing more
            if target == "b":
                b_statuses.append(status)

    with ThreadPoolExecutor(max_workers=8) as pool:
        clients = [pool.submit(client, name) for name in ("a", "b") * 4]
        try:
            eventually(lambda: sum(_numbers_received(fleet_mock).values()) >= 100, 60, 0.05)
            os.kill(fleet.a.process.pid or 0, signal.SIGKILL)
            eventually(lambda: not port_accepts(fleet.a.host, PORT), 10, 0.05)
            killed.set()
            after_kill = sum(_numbers_received(fleet_mock).values())
            eventually(
                lambda: sum(_numbers_received(fleet_mock).values()) >= after_kill + 100, 60, 0.05
            )
        finally:
            stop.set()
        for done in clients:
            done.result(timeout=60)  # a client of B that failed raises here

    assert fleet.a.process.returncode == -signal.SIGKILL
    assert b_statuses and set(b_statuses) == {200}, Counter(b_statuses)
    received = _numbers_received(fleet_mock)
    assert {n for n in received if sent_to[n] == "a"}, "A forwarded some before it was killed"
    assert {n for n in received if sent_to[n] == "b"}
    assert max(received.values()) == 1

    # A comes back under its own name and records what it had forwarded but not yet
    # recorded when it was killed (its journal); then every forwarded request has one event.
    fleet.start("a")

    def recorded() -> Counter[int]:
        return _numbered([e["path"] for e in read_events(fleet.lake, THIS_RUN)])

    eventually(
        lambda: set(received) <= set(recorded()),
        30,
        message=lambda: f"forwarded, not recorded: {sorted(set(received) - set(recorded()))}",
    )
    by_reader = recorded()
    assert {n: c for n, c in by_reader.items() if c > 1} == {}, "recorded twice"

    # `warden logs query`, as an administrator runs it, sees the same.
    sql = f"SELECT path FROM events WHERE {THIS_RUN}"
    cli = subprocess.run(
        [str(WARDEN), "logs", "query", "--json", "--data-dir", str(fleet.lake), sql],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    by_cli = _numbered([row["path"] for row in json.loads(cli.stdout)])
    assert by_cli == by_reader

    # And the dashboard's queries (its own view of the lake) too.
    with open_views(fleet.lake) as con:
        rows = con.execute(sql).fetchall()
    assert _numbered([path for (path,) in rows]) == by_reader

    # Each instance wrote its own part of the lake: each request where it was sent.
    # A's requests in flight at the kill are recorded by A when it comes back, or by the
    # lake's maintainer (B, while A is down) from A's journal, as interrupted, in B's part.
    adopted = set(
        _numbered(
            [e["path"] for e in read_events(fleet.lake, THIS_RUN) if e["error"] == INTERRUPTED]
        )
    )
    for name in INSTANCES:
        mine = _numbered(_paths_in_instance(fleet.lake, name))
        assert mine, f"no events in events/{name}"
        assert {sent_to[n] for n in mine if n not in adopted} == {name}
        assert {n for n in received if sent_to[n] == name} - adopted <= set(mine)


def _paths_in_instance(lake: Path, instance: str) -> list[str]:
    """The request events' paths in one instance's segments, read without the lake's view."""
    files = [str(s.path) for s in live_lake_segments([StoreLayout(lake, instance).events_dir])]
    if not files:
        return []
    with contextlib.closing(duckdb.connect(":memory:")) as con:
        rows = con.execute(
            f"SELECT path FROM read_parquet(?, union_by_name = true) WHERE {THIS_RUN}",
            [files],
        ).fetchall()
    return [path for (path,) in rows]
