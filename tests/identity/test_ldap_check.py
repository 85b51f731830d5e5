"""The LDAP login check's own guards, before any directory is asked (the directory itself is
exercised for real in tests/e2e/test_ldap_e2e.py)."""

from __future__ import annotations

import pytest

from addons.ldap_auth import DirectoryUnavailable, LdapCheck, _canonical_name
from tests.support import free_port
from warden.errors import ConfigError


def test_a_bad_spec_is_a_config_error_that_does_not_repeat_the_password() -> None:
    with pytest.raises(ConfigError, match="ldap\\[s\\]:host") as raised:
        LdapCheck("ldapx:dir.corp.example:cn=svc:Sup3rSecret:ou=people")
    assert "Sup3rSecret" not in str(raised.value)


def test_an_empty_password_or_user_is_refused_without_asking_the_directory() -> None:
    # Nothing listens on this port: had the check asked, it would raise DirectoryUnavailable.
    check = LdapCheck(f"ldap:127.0.0.1:{free_port()}:cn=svc,dc=corp:pw:ou=people,dc=corp")
    assert check("alice", "") is None
    assert check("", "secret") is None
    with pytest.raises(DirectoryUnavailable):
        check("alice", "secret")


def test_a_missing_directory_ca_file_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="ldap_ca_file"):
        LdapCheck("ldaps:dir.corp.example:cn=svc:pw:ou=people", tmp_path / "no-such-ca.pem")


@pytest.mark.parametrize(
    ("attributes", "typed", "canonical"),
    [
        ({"cn": ["Alice.Smith"]}, "ALICE.SMITH", "Alice.Smith"),
        ({"cn": "alice"}, "ALICE", "alice"),
        ({"cn": ["Alice Smith", "asmith"]}, "ASMITH", "asmith"),
        ({}, "ALICE", "alice"),  # the directory hides the attribute: the login, casefolded
    ],
)
def test_the_name_is_the_directory_spelling_of_the_attribute_the_login_matched(
    attributes: dict[str, object], typed: str, canonical: str
) -> None:
    entry = {"dn": "cn=x,ou=people", "attributes": attributes}
    assert _canonical_name(entry, "cn", typed) == canonical
