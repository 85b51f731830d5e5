"""Identity resolution: which source names the user, and when a client must authenticate."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.errors import ConfigError
from warden.identity import IdentityConfig, IdentityResolver, UsersFile, hash_password
from warden.identity.config import load_identity_config
from warden.identity.resolver import AuthRequired


def _config(**kwargs: object) -> IdentityConfig:
    return IdentityConfig.model_validate(kwargs)


NETWORK = [
    {"cidr": "10.0.0.0/8", "user": "office", "groups": ["staff"]},
    {"cidr": "10.9.9.0/24", "device": "build-farm", "user": "ci-bot", "groups": ["ci"]},
]


@pytest.mark.parametrize(
    ("sources", "ip", "auth_user", "headers", "expected_user", "expected_source"),
    [
        (["proxy_auth", "network"], "10.1.2.3", "alice", {}, "alice", "proxy_auth"),
        (["proxy_auth", "network"], "10.1.2.3", None, {}, "office", "network"),
        (["network", "proxy_auth"], "10.1.2.3", "alice", {}, "office", "network"),
        (["proxy_auth", "network"], "10.9.9.7", None, {}, "ci-bot", "network"),
        (["proxy_auth", "network"], "192.0.2.1", None, {}, "anonymous", "none"),
        (["header"], "127.0.0.1", None, {"X-Authenticated-User": "bob"}, "bob", "header"),
        (["header"], "192.0.2.1", None, {"X-Authenticated-User": "bob"}, "anonymous", "none"),
    ],
)
def test_first_source_that_names_a_user_wins(
    sources, ip, auth_user, headers, expected_user, expected_source
):
    config = _config(
        sources=sources,
        network=NETWORK,
        header={"trusted_sources": ["127.0.0.0/8"]},
    )
    identity = IdentityResolver(config).resolve(ip, auth_user, headers)
    assert (identity.user, identity.source) == (expected_user, expected_source)


def test_most_specific_network_names_the_device():
    identity = IdentityResolver(_config(network=NETWORK)).resolve("10.9.9.7")
    assert identity.device == "build-farm"
    assert identity.groups == ("ci",)


def test_groups_come_from_the_groups_map_and_the_trusted_header():
    config = _config(
        sources=["header"],
        header={"trusted_sources": ["127.0.0.1/32"]},
        groups={"contractors": ["bob"]},
    )
    headers = {"x-authenticated-user": "bob", "x-authenticated-groups": "eng, oncall"}
    identity = IdentityResolver(config).resolve("127.0.0.1", None, headers)
    assert identity.groups == ("contractors", "eng", "oncall")


def test_untrusted_client_cannot_claim_groups_by_header():
    config = _config(sources=["header"], header={"trusted_sources": ["10.0.0.1/32"]})
    headers = {"X-Authenticated-User": "ceo", "X-Authenticated-Groups": "admins"}
    identity = IdentityResolver(config).resolve("10.0.0.2", None, headers)
    assert identity.user == "anonymous"
    assert identity.groups == ()


def test_required_auth_refuses_a_client_without_a_login(tmp_path: Path):
    users = tmp_path / "users.htpasswd"
    users.write_text(f"alice:{hash_password('s3cret-pass')}\n")
    config = _config(proxy_auth={"required": True, "users_file": str(users)})
    resolver = IdentityResolver(config)
    with pytest.raises(AuthRequired):
        resolver.resolve("10.1.1.1", None)
    assert resolver.check_credentials("alice", "s3cret-pass")
    assert not resolver.check_credentials("alice", "wrong")
    assert not resolver.check_credentials("mallory", "s3cret-pass")


def test_users_file_reads_htpasswd_bcrypt_and_rejects_other_hashes(tmp_path: Path):
    good = tmp_path / "good"
    # `htpasswd -B` writes $2y$; it must verify like $2b$.
    good.write_text("# comment\n" + f"carol:{hash_password('pw').replace('$2b$', '$2y$', 1)}\n")
    assert UsersFile.load(good).verify("carol", "pw")
    bad = tmp_path / "bad"
    bad.write_text("dave:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n")
    with pytest.raises(ConfigError, match=r"bad:1: .*non-bcrypt"):
        UsersFile.load(bad)


def test_identity_file_errors_point_at_the_line(tmp_path: Path):
    path = tmp_path / "identity.yaml"
    path.write_text("version: 1\nnetwork:\n  - cidr: 10.0.0.0/33\n    user: x\n")
    with pytest.raises(ConfigError, match=r"identity.yaml:3:\d+: network.0.cidr"):
        load_identity_config(path)


def test_a_login_in_another_case_is_the_users_file_person_in_their_groups(tmp_path: Path):
    """`ALICE` is alice of the users file: same name, same groups, never a second person."""
    users = tmp_path / "users.htpasswd"
    users.write_text(f"alice:{hash_password('s3cret-pass')}\n")
    config = _config(
        proxy_auth={"required": True, "users_file": str(users)},
        groups={"contractors": ["Alice"]},
    )
    resolver = IdentityResolver(config)
    for typed in ("alice", "ALICE", "Alice"):
        canonical = resolver.check_credentials(typed, "s3cret-pass")
        assert canonical == "alice"
        identity = resolver.resolve("10.1.1.1", canonical)
        assert (identity.user, identity.groups) == ("alice", ("contractors",))


@pytest.mark.parametrize("typed", [" alice", "alice ", "al\x00ice", "alice\t", "al\u200bice"])
def test_a_login_with_surrounding_space_or_control_characters_is_refused(typed: str):
    asked: list[str] = []
    config = _config(proxy_auth={"required": True})
    resolver = IdentityResolver(config, credential_check=lambda u, p: asked.append(u) or True)
    assert resolver.check_credentials(typed, "pw") is None
    assert asked == []  # refused before the directory was asked


def test_a_check_without_its_own_spelling_gives_the_login_casefolded():
    config = _config(groups={"contractors": ["alice"]})
    resolver = IdentityResolver(config, credential_check=lambda u, p: True)
    assert resolver.check_credentials("ALICE", "pw") == "alice"
    assert resolver.check_credentials("ALICE", "pw") == "alice"  # from the cache, the same


def test_a_users_file_with_two_names_differing_only_in_case_is_rejected(tmp_path: Path):
    path = tmp_path / "users.htpasswd"
    path.write_text(f"alice:{hash_password('a')}\nAlice:{hash_password('b')}\n")
    with pytest.raises(ConfigError, match=r"users.htpasswd:2: user 'Alice' is already listed"):
        UsersFile.load(path)
