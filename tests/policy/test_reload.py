"""Hot reload: a good edit takes effect, a broken edit is rejected and the last good stays."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tests.support.eventually import eventually
from warden.errors import ConfigError
from warden.policy import Action
from warden.runtime import RuntimeConfig, WardenRuntime

GOOD = "version: 1\ndefault_action: monitor\n"
STRICTER = "version: 1\ndefault_action: block\n"
BROKEN = "version: 1\ndefault_action: sometimes\n"


def _touch_later(path: Path, text: str, step: int) -> None:
    path.write_text(text)
    # Make the change visible even on filesystems with coarse timestamps.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + step * 1_000_000_000))


def _reload_settled(runtime: WardenRuntime) -> bool:
    """Two polls: the first sees the change and waits for it to hold still, the second reads."""
    assert not runtime.reload_if_changed()
    return runtime.reload_if_changed()


def test_good_edit_applies_and_broken_edit_keeps_the_last_good(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "policy.yaml"
    path.write_text(GOOD)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    assert runtime.policy.default_action is Action.MONITOR

    _touch_later(path, STRICTER, 1)
    assert _reload_settled(runtime)
    assert runtime.policy.default_action is Action.BLOCK

    with caplog.at_level(logging.ERROR, logger="warden.runtime"):
        _touch_later(path, BROKEN, 2)
        assert not _reload_settled(runtime)
    assert runtime.policy.default_action is Action.BLOCK
    assert "policy.yaml:2:17: default_action" in caplog.text
    assert "keeping the last good version" in caplog.text
    assert runtime.status()["policy_error"] is not None

    # A fixed file is picked up again and clears the error.
    _touch_later(path, GOOD, 3)
    assert _reload_settled(runtime)
    assert runtime.policy.default_action is Action.MONITOR
    assert runtime.status()["policy_error"] is None


def test_unchanged_file_is_not_reloaded(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text(GOOD)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    assert not runtime.reload_if_changed()


PROTECTIVE = (
    "version: 1\ndefault_action: monitor\n"
    "rules:\n  - {id: no-gpt5, match: {models: [gpt-5*]}, action: block}\n"
)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ("", "policy.yaml:1:1: the file is empty"),
        ("# rules: switched off for now\n", "policy.yaml:1:1: the file is empty"),
        ("default_action: allow\n", "policy.yaml:1:1: 'version:' is missing"),
        (PROTECTIVE + "rules: []\n", "policy.yaml:5:1: duplicate key 'rules' (first at "),
    ],
)
def test_an_emptied_versionless_or_duplicate_key_policy_is_rejected_and_the_rules_stay(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, edit: str, problem: str
):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))

    with caplog.at_level(logging.ERROR, logger="warden.runtime"):
        _touch_later(path, edit, 1)
        assert not _reload_settled(runtime)
    assert [rule.id for rule in runtime.policy.rules] == ["no-gpt5"]
    assert problem in caplog.text
    assert problem in str(runtime.rejected()["policy"])


def test_a_deleted_policy_is_rejected_until_it_is_back_even_with_its_old_timestamp(
    tmp_path: Path,
):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    old = path.stat()
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))

    path.unlink()
    for _ in range(2):  # the first check after the deletion, and every one after it
        assert not runtime.reload_if_changed()
        assert "policy.yaml: cannot read: No such file or directory" in str(
            runtime.rejected()["policy"]
        )
        assert [rule.id for rule in runtime.policy.rules] == ["no-gpt5"]

    # Restored from a backup that kept its timestamp: read again, and the rejection clears.
    path.write_text(PROTECTIVE.replace("monitor", "block"))
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert _reload_settled(runtime)
    assert runtime.policy.default_action is Action.BLOCK
    assert set(runtime.rejected().values()) == {None}


def test_an_emptied_identity_file_keeps_proxy_authentication_required(tmp_path: Path):
    users = tmp_path / "users.htpasswd"
    users.write_text("")
    path = tmp_path / "identity.yaml"
    path.write_text(f"version: 1\nproxy_auth: {{required: true, users_file: {users}}}\n")
    runtime = WardenRuntime(RuntimeConfig(identity_path=path))
    assert runtime.resolver.auth_required

    _touch_later(path, "", 1)
    assert not _reload_settled(runtime)
    assert runtime.resolver.auth_required
    assert "identity.yaml:1:1: the file is empty" in str(runtime.rejected()["identity"])


def test_an_identity_edit_whose_users_file_is_missing_is_rejected_whole(tmp_path: Path):
    path = tmp_path / "identity.yaml"
    path.write_text("version: 1\nsources: [network]\n")
    runtime = WardenRuntime(RuntimeConfig(identity_path=path))
    _touch_later(path, "version: 1\nproxy_auth: {required: true, users_file: gone.htpasswd}\n", 1)
    assert not _reload_settled(runtime)
    assert not runtime.resolver.auth_required  # the old resolver, with the old settings
    assert "gone.htpasswd" in str(runtime.rejected()["identity"])


def test_a_broken_catalog_edit_is_rejected_and_named(tmp_path: Path):
    path = tmp_path / "site-catalog.yaml"
    app = (
        "version: 1\napps:\n  - {id: inhouse, name: In-house LLM, vendor: Corp, kind: api,\n"
        "     schema: openai, hosts: [llm.corp.example], sanctioned: sanctioned}\n"
    )
    path.write_text(app)
    runtime = WardenRuntime(RuntimeConfig(catalog_paths=(path,)))
    assert runtime.catalog.lookup("llm.corp.example") is not None

    _touch_later(path, app.replace("version: 1\n", ""), 1)
    assert not _reload_settled(runtime)
    assert runtime.catalog.lookup("llm.corp.example") is not None
    assert "'version:' is missing" in str(runtime.rejected()["catalog"])

    _touch_later(path, app.replace("llm.corp.example", "llm2.corp.example"), 2)
    assert _reload_settled(runtime)
    assert runtime.catalog.lookup("llm2.corp.example") is not None
    assert runtime.rejected()["catalog"] is None


def test_a_price_override_with_a_repeated_key_is_rejected_and_named(tmp_path: Path):
    path = tmp_path / "site-prices.yaml"
    good = 'version: acme-1\nmodels:\n  - {match: "gpt-4o*", input: 1.0, output: 1.0}\n'
    path.write_text(good)
    runtime = WardenRuntime(RuntimeConfig(prices_path=path))
    assert runtime.prices.version.endswith("+acme-1")

    _touch_later(path, good.replace("input: 1.0,", "input: 1.0, input: 0.0,"), 1)
    assert not _reload_settled(runtime)
    assert runtime.prices.version.endswith("+acme-1")
    assert str(runtime.rejected()["prices"]).endswith(
        f"site-prices.yaml:3:36: duplicate key 'input' (first at {path}:3:24)"
    )


def test_a_missing_file_at_start_is_a_configuration_error_naming_it(tmp_path: Path):
    missing = tmp_path / "site-catalog.yaml"
    with pytest.raises(ConfigError, match=f"{missing}: cannot read: No such file"):
        WardenRuntime(RuntimeConfig(catalog_paths=(missing,)))


def test_a_policy_caught_half_way_through_a_save_is_never_in_force(tmp_path: Path):
    """`cat >`, scp or a slow editor: the header lands first (a valid policy with no rules),
    the rules a moment later. The half file changes before it holds still, so it is not read."""
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    full = PROTECTIVE.replace("no-gpt5", "no-gpt6")

    _touch_later(path, full.split("rules:")[0], 1)
    assert not runtime.reload_if_changed()
    assert [rule.id for rule in runtime.policy.rules] == ["no-gpt5"]

    _touch_later(path, full, 2)  # the writer finishes before the next poll
    assert not runtime.reload_if_changed()
    assert [rule.id for rule in runtime.policy.rules] == ["no-gpt5"]
    assert runtime.reload_if_changed()
    assert [rule.id for rule in runtime.policy.rules] == ["no-gpt6"]
    assert set(runtime.rejected().values()) == {None}


@pytest.mark.parametrize(
    ("edit", "warning"),
    [
        ("version: 1\ndefault_action: monitor\n", "removes all 1 rules compared with"),
        (PROTECTIVE + "dlp: {enabled: false}\n", "removes DLP (dlp.enabled: false)"),
        ("version: 1\ndlp: {enabled: false}\n", "removes all 1 rules and DLP"),
    ],
)
def test_a_reload_that_drops_all_rules_or_dlp_applies_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, edit: str, warning: str
):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))

    with caplog.at_level(logging.WARNING, logger="warden.runtime"):
        _touch_later(path, edit, 1)
        assert _reload_settled(runtime)
    assert [r.levelname for r in caplog.records if warning in r.getMessage()] == ["WARNING"]
    assert "policy.yaml" in caplog.text
    assert runtime.policy.rules == [] or not runtime.policy.dlp.enabled  # applied as written


def test_a_reload_that_keeps_rules_and_dlp_warns_of_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    with caplog.at_level(logging.WARNING, logger="warden.runtime"):
        _touch_later(path, PROTECTIVE.replace("monitor", "block"), 1)
        assert _reload_settled(runtime)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_named_pipe_in_place_of_the_policy_is_refused_without_waiting_for_a_writer(
    tmp_path: Path,
):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    path.unlink()
    os.mkfifo(path)  # reading it would block until something writes

    assert not _reload_settled(runtime)
    assert [rule.id for rule in runtime.policy.rules] == ["no-gpt5"]
    assert str(runtime.rejected()["policy"]) == (
        f"{path}: not a regular file (a named pipe); a data file must be a plain file"
    )


def test_a_symlink_to_a_device_is_refused_unread(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    path.unlink()
    path.symlink_to("/dev/zero")  # would read until memory runs out

    assert not _reload_settled(runtime)
    assert "not a regular file (a device)" in str(runtime.rejected()["policy"])


def test_a_symlink_to_a_regular_file_is_followed(tmp_path: Path):
    real = tmp_path / "policy-v2.yaml"
    real.write_text(PROTECTIVE)
    path = tmp_path / "policy.yaml"
    path.symlink_to(real)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    assert [rule.id for rule in runtime.policy.rules] == ["no-gpt5"]


def test_an_oversize_policy_is_refused_naming_the_limit(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE)
    runtime = WardenRuntime(RuntimeConfig(policy_path=path))
    with path.open("a") as f:
        f.write("#" * (10 * 1024 * 1024) + "\n")

    assert not _reload_settled(runtime)
    assert [rule.id for rule in runtime.policy.rules] == ["no-gpt5"]
    assert str(runtime.rejected()["policy"]).startswith(
        f"{path}: larger than the 10 MiB limit for a data file (10485760 bytes)"
    )


def test_an_oversize_policy_at_start_is_a_configuration_error(tmp_path: Path):
    path = tmp_path / "policy.yaml"
    path.write_text(PROTECTIVE + "#" * (10 * 1024 * 1024) + "\n")
    with pytest.raises(ConfigError, match="larger than the 10 MiB limit"):
        WardenRuntime(RuntimeConfig(policy_path=path))


def _users_identity(tmp_path: Path, users_text: str) -> WardenRuntime:
    users = tmp_path / "users.htpasswd"
    users.write_text(users_text)
    path = tmp_path / "identity.yaml"
    path.write_text("version: 1\nproxy_auth: {required: true, users_file: users.htpasswd}\n")
    return WardenRuntime(RuntimeConfig(identity_path=path))


def test_an_edited_users_file_rebuilds_the_credential_check(tmp_path: Path):
    """A removed user or a rotated password counts without a restart, cached logins too."""
    from warden.identity import hash_password

    runtime = _users_identity(tmp_path, f"alice:{hash_password('old')}\nbob:{hash_password('b')}\n")
    assert runtime.resolver.check_credentials("bob", "b") == "bob"  # now in the cache
    assert runtime.resolver.check_credentials("alice", "old") == "alice"
    _touch_later(tmp_path / "users.htpasswd", f"alice:{hash_password('new')}\n", 1)
    assert _reload_settled(runtime)
    assert runtime.resolver.check_credentials("bob", "b") is None
    assert runtime.resolver.check_credentials("alice", "old") is None
    assert runtime.resolver.check_credentials("alice", "new") == "alice"


def test_a_broken_or_deleted_users_file_is_rejected_and_the_last_good_stays(tmp_path: Path):
    from warden.identity import hash_password

    runtime = _users_identity(tmp_path, f"alice:{hash_password('pw')}\n")
    users = tmp_path / "users.htpasswd"
    _touch_later(users, "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", 1)
    assert not _reload_settled(runtime)
    assert "non-bcrypt" in str(runtime.rejected()["identity"])
    assert runtime.resolver.check_credentials("alice", "pw") == "alice"
    users.unlink()
    assert not _reload_settled(runtime)
    assert "users.htpasswd: cannot read" in str(runtime.rejected()["identity"])
    assert runtime.resolver.auth_required
    _touch_later(users, f"alice:{hash_password('back')}\n", 2)
    assert _reload_settled(runtime)
    assert runtime.rejected()["identity"] is None
    assert runtime.resolver.check_credentials("alice", "back") == "alice"


def test_a_users_file_named_by_a_rejected_edit_is_watched_until_it_loads(tmp_path: Path):
    from warden.identity import hash_password

    path = tmp_path / "identity.yaml"
    path.write_text("version: 1\nsources: [network]\n")
    runtime = WardenRuntime(RuntimeConfig(identity_path=path))
    _touch_later(path, "version: 1\nproxy_auth: {required: true, users_file: new.htpasswd}\n", 1)
    assert not _reload_settled(runtime)
    (tmp_path / "new.htpasswd").write_text(f"carol:{hash_password('pw')}\n")
    assert _reload_settled(runtime)
    assert runtime.resolver.check_credentials("carol", "pw") == "carol"


def test_a_rotated_ldap_ca_file_rebuilds_the_directory_check(tmp_path: Path):
    built: list[str] = []

    def ldap_factory(spec: str, ca: Path | None):  # type: ignore[no-untyped-def]
        assert ca is not None
        built.append(ca.read_text())
        return lambda user, password: True

    ca = tmp_path / "directory-ca.pem"
    ca.write_text("first CA")
    path = tmp_path / "identity.yaml"
    path.write_text(
        'version: 1\nproxy_auth: {ldap: "ldaps:dir:cn=svc:pw:ou=people", '
        "ldap_ca_file: directory-ca.pem}\n"
    )
    runtime = WardenRuntime(RuntimeConfig(identity_path=path, ldap_factory=ldap_factory))
    _touch_later(ca, "rotated CA", 1)
    assert _reload_settled(runtime)
    assert built == ["first CA", "rotated CA"]
    ca.unlink()
    assert not _reload_settled(runtime)
    assert "directory-ca.pem: cannot read" in str(runtime.rejected()["identity"])


@pytest.mark.parametrize("swap", ["fifo", "device"])
def test_a_users_file_swapped_for_a_pipe_or_device_is_refused_and_reloads_go_on(
    tmp_path: Path, swap: str
):
    """A FIFO used to block the reload thread for good (nothing loaded after it, /healthz ok),
    and /dev/zero would be read until memory ran out."""
    from warden.identity import hash_password

    runtime = _users_identity(tmp_path, f"alice:{hash_password('pw')}\n")
    users = tmp_path / "users.htpasswd"
    users.unlink()
    if swap == "fifo":
        os.mkfifo(users)
    else:
        users.symlink_to("/dev/zero")
    assert not _reload_settled(runtime)
    assert "not a regular file" in str(runtime.rejected()["identity"])
    assert runtime.resolver.check_credentials("alice", "pw") == "alice"  # last good stays

    users.unlink()
    _touch_later(users, f"bob:{hash_password('b')}\n", 2)
    assert eventually(lambda: runtime.reload_if_changed(), timeout=5)
    assert runtime.resolver.check_credentials("alice", "pw") is None
    assert runtime.resolver.check_credentials("bob", "b") == "bob"
