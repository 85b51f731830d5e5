"""Real processes: `warden run` in a private mount namespace whose /etc/hosts sends the AI
providers' real names to a local TLS mock; clients are the official SDKs in this process."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import anthropic
import httpx2
import openai
import pytest

from tests.support import (
    DEFAULT_HOSTNAMES,
    MockProviders,
    ProxyProcess,
    TestPKI,
    free_port,
    make_test_pki,
    mount_namespace_skip_reason,
    netns_command,
    write_hosts_file,
)
from tests.support.eventually import eventually

WARDEN = Path(sys.executable).with_name("warden")
REPO = Path(__file__).parents[2]


@pytest.fixture(scope="session", autouse=True)
def _needs_mount_namespace() -> None:
    reason = mount_namespace_skip_reason()
    if reason:
        pytest.skip(reason)


# A directory server's name, resolved inside Warden's namespace to the mock's address, where
# the LDAP tests start their slapd (on its own port).
DIRECTORY_HOSTNAME = "ldap.corp.test"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return make_test_pki(tmp_path_factory.mktemp("upstream-pki"), list(DEFAULT_HOSTNAMES))


@pytest.fixture(scope="session")
def mock(pki: TestPKI) -> Iterator[MockProviders]:
    with MockProviders(pki) as providers:
        yield providers


@pytest.fixture(scope="session")
def hosts_file(tmp_path_factory: pytest.TempPathFactory, mock: MockProviders) -> Path:
    path = tmp_path_factory.mktemp("netns") / "hosts"
    write_hosts_file(path, mock.ip, [*DEFAULT_HOSTNAMES, DIRECTORY_HOSTNAME])
    return path


@pytest.fixture(scope="session")
def certs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One Warden CA for the session, as one deployment would have.
    return tmp_path_factory.mktemp("warden-certs")


@dataclass
class Warden:
    """A running `warden run` and what a test needs to talk through it."""

    process: ProxyProcess
    port: int
    ca: Path
    data_dir: Path
    policy: Path
    # The x-warden-event-id of every answer the clients below received, in order.
    event_ids: list[str] = field(default_factory=list)
    # Where the current test began, for a Warden a module shares: its events and log lines.
    since: float = 0.0
    log_offset: int = 0
    # Where it listens: a test host's address for a Warden in a network namespace.
    host: str = "127.0.0.1"

    def begin_test(self) -> None:
        """Look only at what comes next: a shared Warden serves one test after another."""
        self.since = time.time()
        self.log_offset = len(self.process.log_text())
        self.event_ids.clear()

    def reconfigure(self, policy: str) -> None:
        """Put `policy` in force the way an admin would, by saving the file, and wait until
        the running proxy has loaded it (it re-reads a change once it holds still)."""
        offset = len(self.process.log_text())
        staged = self.policy.with_suffix(".saving")
        staged.write_text(textwrap.dedent(policy))
        staged.replace(self.policy)  # one rename: the proxy never sees half a file

        def outcome() -> str | None:
            tail = self.process.log_text()[offset:]
            if f"rejected {self.policy}" in tail:
                raise AssertionError(f"the proxy rejected the policy:\n{tail}")
            return tail if f"loaded {self.policy}" in tail else None

        eventually(outcome, timeout=15, message="the proxy did not load the new policy")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(self, user: str | None = None, password: str | None = None) -> httpx2.Client:
        """An HTTP client for the SDKs, going through Warden and trusting its CA."""
        proxy = self.url
        if user is not None:
            proxy = f"http://{user}:{password}@{self.host}:{self.port}"
        return httpx2.Client(
            proxy=proxy,
            verify=str(self.ca),
            trust_env=False,
            timeout=20,
            event_hooks={"response": [self._note_event_id]},
        )

    def openai(self) -> openai.OpenAI:
        """The official OpenAI SDK, going through Warden."""
        return openai.OpenAI(
            api_key="sk-test-" + "a" * 40, http_client=self.client(), max_retries=0
        )

    def anthropic(self) -> anthropic.Anthropic:
        """The official Anthropic SDK, going through Warden (it wants its own httpx2 client)."""
        http = anthropic.DefaultHttpxClient(
            proxy=self.url,
            verify=str(self.ca),
            trust_env=False,
            event_hooks={"response": [self._note_event_id]},
        )
        return anthropic.Anthropic(api_key="sk-ant-test", http_client=http, max_retries=0)

    def events(
        self,
        *,
        ids: Collection[str] | None = None,
        count: int = 0,
        until: Callable[[list[dict]], object] | None = None,
        timeout: float = 10.0,
    ) -> list[dict]:
        """What the audit store holds, read the way any reader beside the proxy would, as soon
        as it holds the event of every answer the clients above received.

        For requests sent some other way (sockets, curl, websockets) say what to wait for:
        `ids` (instead of the answers' ids), at least `count` request events, or `until(events)`.
        """
        from warden.store.reader import read_events

        wanted = set(self.event_ids if ids is None else ids)

        def complete() -> tuple[list[dict]] | None:
            events = self._this_tests(read_events(self.data_dir))
            missing = wanted - {e["id"] for e in events}
            requests = sum(e["type"] == "request" for e in events)
            if missing or requests < count or (until is not None and not until(events)):
                return None
            return (events,)  # truthy even when the store is rightly empty

        def waiting_for() -> str:
            events = self._this_tests(read_events(self.data_dir))
            missing = sorted(wanted - {e["id"] for e in events})
            return f"the store holds {len(events)} events; the answers' events missing: {missing}"

        (events,) = eventually(complete, timeout, message=waiting_for)
        return events

    def _this_tests(self, events: list[dict]) -> list[dict]:
        """A shared Warden's events of the current test: those of requests that started after
        it began, however late an earlier test's event was written."""
        return [e for e in events if _started(e) >= self.since]

    def log(self) -> str:
        """The proxy's log since the test began."""
        return self.process.log_text()[self.log_offset :]

    def _note_event_id(self, response: httpx2.Response) -> None:
        event_id = response.headers.get("x-warden-event-id")
        if event_id:
            self.event_ids.append(event_id)


def _started(event: dict) -> float:
    when = event.get("time")  # ISO, UTC
    return datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp() if when else float("inf")


StartWarden = Callable[..., Warden]


def tunnelled_chatgpt_catalog(directory: Path, sanctioned: str) -> Path:
    """A site catalog that keeps chatgpt.com an AI app but tells Warden not to decrypt it."""
    path = directory / "site-catalog.yaml"
    path.write_text(
        f"""
version: 1
apps:
  - id: chatgpt-web
    name: ChatGPT (tunnelled by site choice)
    vendor: OpenAI
    kind: web_app
    schema: chatgpt_web
    hosts: [chatgpt.com]
    sanctioned: {sanctioned}
    intercept: false
"""
    )
    return path


# Every test client connects from loopback: the network map names it alice.
ALICE_ON_LOOPBACK = """
version: 1
sources: [network]
network:
  - {cidr: 127.0.0.0/8, user: alice, device: alice-laptop}
groups: {research: [alice]}
"""


DEFAULT_TEST_POLICY = """
version: 1
name: e2e
default_action: monitor
rules:
  - id: no-gpt5
    match: {models: ["gpt-5*"]}
    action: block
    message: "GPT-5 models are not approved for company data (ticket SEC-42)."
  - id: no-claude-opus
    match: {apps: [anthropic], models: ["claude-opus*"]}
    action: block
    message: "Claude Opus is reserved for the research team."
"""


def _starter(
    root: Path, hosts_file: Path, certs_dir: Path, pki: TestPKI, started: list[ProxyProcess]
) -> StartWarden:
    """Starts `warden run` processes with their files under `root`; each goes in `started`."""

    def start(
        policy: str = DEFAULT_TEST_POLICY,
        identity: str | None = None,
        extra_args: list[str] | None = None,
        data_dir: Path | None = None,  # another Warden's, to start again where it stopped
    ) -> Warden:
        work = root / f"warden{len(started)}"
        data_dir = data_dir or work / "data"
        work.mkdir()
        policy_path = work / "policy.yaml"
        policy_path.write_text(textwrap.dedent(policy))
        args = [
            str(WARDEN),
            "run",
            "--no-dashboard",  # the dashboard's own tests start it where they need it
            "--listen-port",
            str(port := free_port()),
            "--data-dir",
            str(data_dir),
            "--certs-dir",
            str(certs_dir),
            "--policy",
            str(policy_path),
            "--set",
            f"ssl_verify_upstream_trusted_ca={pki.ca_cert}",
            # Flush the audit log five times a second so tests read events sooner.
            "--set",
            "warden_audit_flush_ms=200",
            # Check the data files five times a second: an edit is in force in about 0.4 s.
            "--set",
            "warden_reload_ms=200",
        ]
        if identity is not None:
            identity_path = work / "identity.yaml"
            identity_path.write_text(textwrap.dedent(identity))
            args += ["--identity", str(identity_path)]
        args += extra_args or []
        process = ProxyProcess(
            netns_command(args, hosts_file),
            port,
            log_path=work / "warden.log",
            cwd=work,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        process.__enter__()
        started.append(process)
        return Warden(process, port, certs_dir / "mitmproxy-ca-cert.pem", data_dir, policy_path)

    return start


@pytest.fixture
def start_warden(
    tmp_path: Path, hosts_file: Path, certs_dir: Path, pki: TestPKI
) -> Iterator[StartWarden]:
    """A Warden of the test's own, for a test that needs settings no other test shares."""
    started: list[ProxyProcess] = []
    yield _starter(tmp_path, hosts_file, certs_dir, pki, started)
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def start_shared_warden(
    tmp_path_factory: pytest.TempPathFactory, hosts_file: Path, certs_dir: Path, pki: TestPKI
) -> Iterator[StartWarden]:
    """Wardens that live for a module: starting one costs seconds, a test far less."""
    started: list[ProxyProcess] = []
    yield _starter(tmp_path_factory.mktemp("shared"), hosts_file, certs_dir, pki, started)
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def shared_warden(start_shared_warden: StartWarden) -> Warden:
    """The module's Warden, on the default test policy; a module that wants another policy
    overrides this fixture (and every test of it takes `warden`)."""
    return start_shared_warden()


@pytest.fixture
def warden(shared_warden: Warden, mock: MockProviders) -> Warden:
    """The module's Warden, seen from one test: its events and log start with the test."""
    mock.clear()
    shared_warden.begin_test()
    return shared_warden
