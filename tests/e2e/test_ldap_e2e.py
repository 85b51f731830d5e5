"""Proxy logins against a real directory (OpenLDAP's slapd on loopback): right passwords get
through as their own person, anything else gets 407, and a directory that is away refuses
logins without stopping the proxy, which recovers when the directory comes back."""

from __future__ import annotations

import base64
import threading

import openai
import pytest

from tests.e2e.conftest import DIRECTORY_HOSTNAME, StartWarden, Warden
from tests.e2e.tls_probe import connect_and_handshake
from tests.support import MockProviders, make_test_pki
from tests.support.ldap_directory import LdapDirectory, slapd_skip_reason

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(slapd_skip_reason() is not None, reason=str(slapd_skip_reason())),
]

FAKE_OPENAI_KEY = "sk-test-" + "l" * 40
PEOPLE = {f"user{i}": f"pw-{i}-Secret" for i in range(8)} | {"alice": "alice-Secret-1"}


def _identity(directory: LdapDirectory) -> str:
    return f"""
    version: 1
    sources: [proxy_auth]
    proxy_auth: {{required: true, ldap: "{directory.spec}"}}
    groups: {{research: [alice]}}
    """


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _status(warden: Warden, user: str | None = None, password: str = "") -> str:
    auth = _basic(user, password) if user is not None else None
    return connect_and_handshake(warden.port, "api.openai.com", str(warden.ca), auth).status_line


def _chat(warden: Warden, user: str, password: str, text: str = "hello") -> str:
    client = openai.OpenAI(
        api_key=FAKE_OPENAI_KEY, http_client=warden.client(user, password), max_retries=0
    )
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
    )
    return reply.choices[0].message.content or ""


def _request_users(warden: Warden, count: int) -> list[str]:
    return [e["user"] for e in warden.events(count=count) if e["type"] == "request"]


@pytest.fixture
def directory(tmp_path):  # type: ignore[no-untyped-def]
    built = LdapDirectory(tmp_path / "ldap", PEOPLE)
    yield built
    built.__exit__()


def test_directory_logins_get_through_and_every_other_login_gets_407(
    start_warden: StartWarden, mock: MockProviders, directory: LdapDirectory
):
    directory.start()
    warden = start_warden(identity=_identity(directory))
    mock.clear()
    assert " 407 " in _status(warden)
    assert " 407 " in _status(warden, "alice", "wrong-password")
    assert " 407 " in _status(warden, "alice", "")  # an LDAP "unauthenticated bind"
    assert " 407 " in _status(warden, "mallory", "alice-Secret-1")
    assert " 407 " in _status(warden, "*", "alice-Secret-1")  # a filter, not a login
    assert _chat(warden, "alice", "alice-Secret-1", "from the directory") == (
        "echo: from the directory"
    )
    [event] = [e for e in warden.events() if e["type"] == "request"]
    assert (event["user"], event["groups"]) == ("alice", ["research"])
    assert len(mock.requests_to("api.openai.com")) == 1
    assert "alice-Secret-1" not in warden.log() and directory.service_password not in warden.log()


def test_people_logging_in_at_once_are_each_recorded_as_themselves(
    start_warden: StartWarden, mock: MockProviders, directory: LdapDirectory
):
    directory.start()
    warden = start_warden(identity=_identity(directory))
    mock.clear()
    logins = {user: pw for user, pw in PEOPLE.items() if user != "alice"}
    answers: dict[str, str] = {}
    errors: list[BaseException] = []

    def log_in_and_chat(user: str, password: str) -> None:
        try:
            answers[user] = _chat(warden, user, password, f"I am {user}")
        except BaseException as e:  # reported below, with the user
            errors.append(e)

    threads = [threading.Thread(target=log_in_and_chat, args=item) for item in logins.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert answers == {user: f"echo: I am {user}" for user in logins}
    assert sorted(_request_users(warden, len(logins))) == sorted(logins)


def test_a_directory_that_is_away_refuses_logins_and_the_proxy_recovers_with_it(
    start_warden: StartWarden, mock: MockProviders, directory: LdapDirectory
):
    warden = start_warden(identity=_identity(directory))  # the directory is not up yet
    mock.clear()
    assert " 407 " in _status(warden, "alice", "alice-Secret-1")
    assert "could not check proxy credentials for user 'alice'" in warden.log()

    directory.start()
    assert _chat(warden, "alice", "alice-Secret-1") == "echo: hello"

    directory.stop()
    assert " 407 " in _status(warden, "user1", PEOPLE["user1"])  # never checked before
    directory.start()
    assert _chat(warden, "user1", PEOPLE["user1"]) == "echo: hello"
    assert warden.process.returncode is None
    assert len(mock.requests_to("api.openai.com")) == 2


def test_ldaps_logins_need_a_directory_certificate_warden_trusts(
    start_warden: StartWarden, mock: MockProviders, tmp_path
):  # type: ignore[no-untyped-def]
    pki = make_test_pki(tmp_path / "ldap-pki", [DIRECTORY_HOSTNAME])
    impostor = make_test_pki(tmp_path / "impostor-pki", [DIRECTORY_HOSTNAME])
    home = tmp_path / "ldaps"
    tls = {"tls": pki, "host": mock.ip, "name": DIRECTORY_HOSTNAME}
    with LdapDirectory(home, PEOPLE, **tls) as directory:  # type: ignore[arg-type]
        trusting = start_warden(identity=_identity_with_ca(directory, pki.ca_cert))
        mock.clear()
        assert _chat(trusting, "alice", "alice-Secret-1") == "echo: hello"
        # A directory certificate from a CA Warden was not told to trust: refused, as it
        # would be from anyone who put themselves between Warden and the directory.
        wary = start_warden(identity=_identity_with_ca(directory, impostor.ca_cert))
        assert " 407 " in _status(wary, "alice", "alice-Secret-1")
        assert "could not check proxy credentials for user 'alice'" in wary.log()
        assert "CERTIFICATE_VERIFY_FAILED" in wary.log() or "certificate" in wary.log().lower()
    assert len(mock.requests_to("api.openai.com")) == 1


def _identity_with_ca(directory: LdapDirectory, ca_file) -> str:  # type: ignore[no-untyped-def]
    return f"""
    version: 1
    sources: [proxy_auth]
    proxy_auth: {{required: true, ldap: "{directory.spec}", ldap_ca_file: "{ca_file}"}}
    """


CONTRACTORS_BLOCKED = """
version: 1
name: contractors
default_action: allow
rules:
  - id: contractors-blocked
    match: {groups: [contractors]}
    action: block
    message: "Contractors may not use AI tools."
"""


def test_a_login_spelt_another_way_is_still_the_same_person_in_the_same_groups(
    start_warden: StartWarden, mock: MockProviders, directory: LdapDirectory
):
    """The directory matches `ALICE` as alice: Warden must too, or group rules are escaped."""
    directory.start()
    identity = f"""
    version: 1
    sources: [proxy_auth]
    proxy_auth: {{required: true, ldap: "{directory.spec}"}}
    groups: {{contractors: [alice]}}
    """
    warden = start_warden(policy=CONTRACTORS_BLOCKED, identity=identity)
    mock.clear()
    for login in ("alice", "ALICE", "Alice"):
        with pytest.raises(openai.PermissionDeniedError, match="Contractors may not use AI"):
            _chat(warden, login, "alice-Secret-1")
    # Surrounding space is refused before the directory is asked, which would ignore it.
    assert " 407 " in _status(warden, " alice", "alice-Secret-1")
    assert " 407 " in _status(warden, "alice ", "alice-Secret-1")
    recorded = {(e["user"], tuple(e["groups"])) for e in warden.events() if e["type"] == "request"}
    assert recorded == {("alice", ("contractors",))}
    assert mock.requests_to("api.openai.com") == []
