"""The `warden` command line as an admin uses it."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from tests.support.cli import CliResult, run_warden

WARDEN = [sys.executable, "-m", "warden.cli"]


def _warden(*args: str, cwd: Path | None = None) -> CliResult:
    return run_warden(*args, cwd=cwd)


def test_ca_creates_a_private_key_only_its_owner_can_read(tmp_path: Path):
    result = _warden("ca", "--certs-dir", str(tmp_path), "--proxy", "proxy.corp:8080")
    assert result.returncode == 0, result.stderr
    key = tmp_path / "mitmproxy-ca.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    out = result.stdout
    assert str((tmp_path / "mitmproxy-ca-cert.pem").resolve()) in out
    for platform in ("macOS", "Windows", "Linux", "Firefox", "MDM"):
        assert platform in out
    assert "http://proxy.corp:8080/ca.pem" in out
    assert "created now" in out
    again = _warden("ca", "--certs-dir", str(tmp_path))
    assert "already present" in again.stdout


def test_pac_sends_ai_hosts_to_the_proxy():
    # A real process: the module entry point an admin's shell runs, not only `main`.
    result = subprocess.run(
        [*WARDEN, "pac", "--proxy", "proxy.corp:3128"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "function FindProxyForURL" in result.stdout
    assert '"PROXY proxy.corp:3128"' in result.stdout


def test_pac_lists_every_instance_given_in_order():
    result = _warden("pac", "--proxy", "warden-a.corp:8080", "--proxy", "warden-b.corp:8080")
    assert result.returncode == 0, result.stderr
    assert '"PROXY warden-a.corp:8080; PROXY warden-b.corp:8080"' in result.stdout
    bad = _warden("pac", "--proxy", "warden-a.corp")
    assert bad.returncode == 2
    assert "proxy must be host:port" in bad.stderr


def test_catalog_lookup_exits_nonzero_for_a_non_ai_host():
    ai = _warden("catalog", "api.anthropic.com")
    assert ai.returncode == 0
    assert "anthropic" in ai.stdout
    other = _warden("catalog", "example.org")
    assert other.returncode == 1
    assert "not an AI host" in other.stdout


def test_users_add_writes_a_bcrypt_entry_the_resolver_accepts(tmp_path: Path):
    users = tmp_path / "users.htpasswd"
    result = run_warden(
        "users", "add", "alice", "--file", str(users), "--password-stdin", stdin="pa55-word\n"
    )
    assert result.returncode == 0, result.stderr
    assert "pa55-word" not in users.read_text()
    from warden.identity import UsersFile

    assert UsersFile.load(users).verify("alice", "pa55-word")


def test_run_refuses_a_broken_policy_with_file_and_line(tmp_path: Path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nrules:\n  - id: x\n    action: maybe\n")
    result = _warden(
        "run",
        "--policy",
        str(policy),
        "--listen-port",
        "0",
        "--certs-dir",
        str(tmp_path / "certs"),
        "--data-dir",
        str(tmp_path / "data"),
    )
    assert result.returncode != 0
    assert "policy.yaml:4:13: rules.0.action" in result.stdout + result.stderr


def test_run_without_a_policy_in_reach_refuses_unless_told_none(tmp_path: Path):
    """Started outside the project directory, Warden used to run with no policy, silently."""
    common = ["--listen-port", "0", "--certs-dir", str(tmp_path / "certs"), "--no-dashboard"]
    refused = _warden("run", *common, "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        f"warden: no policy: policies/default.yaml is not in {tmp_path} and --policy was not given"
    )
    assert "--policy none" in refused.stderr
    assert not (tmp_path / "data").exists()  # refused before anything started

    # `--policy none` gets past that check; the broken identity file then stops the start.
    identity = tmp_path / "identity.yaml"
    identity.write_text("")
    told = _warden("run", *common, "--policy", "none", "--identity", str(identity), cwd=tmp_path)
    assert told.returncode == 1
    assert "no policy" not in told.stderr
    assert f"{identity}:1:1: the file is empty" in told.stderr


POLICY_FOR_TEST = """
version: 1
default_action: monitor
rules:
  - id: interns-no-web
    match: {groups: [interns], kinds: [web_app]}
    action: block
    message: Interns use the approved assistant.
  - id: no-gpt5
    match: {models: ["gpt-5*"]}
    action: block
    message: GPT-5 is not approved.
quotas:
  - {id: rpm, scope: user, requests: 10, window: 1m}
"""


def test_policy_check_passes_good_files_and_fails_bad_ones_with_position(tmp_path: Path):
    good = tmp_path / "good.yaml"
    good.write_text(POLICY_FOR_TEST)
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules:\n  - id: x\n    action: block\n    match: {modles: [a]}\n")
    ok = _warden("policy", "check", str(good))
    assert ok.returncode == 0
    assert "ok (2 rules" in ok.stdout
    failed = _warden("policy", "check", str(good), str(bad))
    assert failed.returncode == 1
    assert "bad.yaml:5:13: rules.0.match.modles: Extra inputs are not permitted" in failed.stderr


def test_policy_check_refuses_empty_versionless_and_duplicate_key_files(tmp_path: Path):
    """What a half-written save, a wrong file or a pasted second `rules:` looks like."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    no_version = tmp_path / "no-version.yaml"
    no_version.write_text("default_action: block\n")
    twice = tmp_path / "twice.yaml"
    twice.write_text(POLICY_FOR_TEST + "rules: []\n")
    identity = tmp_path / "identity.yaml"
    identity.write_text("version: 1\nproxy_auth: {required: true}\nproxy_auth: {}\n")
    catalog = tmp_path / "site-catalog.yaml"
    catalog.write_text("version: 1\napps: []\n")
    result = _warden(
        "policy", "check", str(empty), str(no_version), str(twice), str(identity), str(catalog)
    )
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    first_rules = POLICY_FOR_TEST.splitlines().index("rules:") + 1
    last = len(POLICY_FOR_TEST.splitlines()) + 1
    assert errors == [
        f"{empty}:1:1: the file is empty; a data file starts with its format version, "
        "e.g. 'version: 1' (an emptied file is refused, not read as 'no rules')",
        f"{no_version}:1:1: 'version:' is missing at the top level; a data file names the "
        "format version it is written for, e.g. 'version: 1'",
        f"{twice}:{last}:1: duplicate key 'rules' (first at {twice}:{first_rules}:1)",
        f"{identity}:3:1: duplicate key 'proxy_auth' (first at {identity}:2:1)",
    ]
    assert result.stdout == f"{catalog}: ok (catalog file, 0 apps)\n"


def test_policy_test_prints_the_decision_and_the_trace(tmp_path: Path):
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_FOR_TEST)
    result = _warden(
        "policy",
        "test",
        str(policy),
        "--user",
        "alice",
        "--host",
        "api.openai.com",
        "--model",
        "gpt-5-mini",
        "--prompt",
        "hello",
        "--no-dlp",
    )
    assert result.returncode == 0, result.stderr
    assert "Decision : BLOCK by rule no-gpt5 -> HTTP 403" in result.stdout
    assert "GPT-5 is not approved." in result.stdout
    assert "interns-no-web" in result.stdout
    assert "kind 'api' is not one of ['web_app']" in result.stdout
    assert "MATCH no-gpt5" in result.stdout
    assert "Quotas   : rpm apply" in result.stdout


def test_policy_test_json_with_a_request_file(tmp_path: Path):
    import json

    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_FOR_TEST)
    request = tmp_path / "req.json"
    request.write_text(
        json.dumps(
            {
                "model": "claude-sonnet-4-5",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "hi there"}],
            }
        )
    )
    result = _warden(
        "policy",
        "test",
        str(policy),
        "--user",
        "bob",
        "--groups",
        "interns",
        "--host",
        "claude.ai",
        "--request",
        str(request),
        "--path",
        "/api/x",
        "--json",
        "--no-dlp",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["decision"]["rule_id"] == "interns-no-web"
    assert out["decision"]["status"] == 403
    assert out["request"]["app"] == "claude-web"
    assert out["request"]["groups"] == ["interns"]
    assert [t["matched"] for t in out["trace"]] == [True]


def test_policy_check_fails_merge_keys_yaml_1_1_and_a_text_version(tmp_path: Path):
    """A file that reads differently from how it looks fails the check, with its position."""
    merged = tmp_path / "merged.yaml"
    merged.write_text("version: 1\ndlp: {<<: [{enabled: false}, {enabled: true}]}\n")
    yaml11 = tmp_path / "yaml11.yaml"
    yaml11.write_text("%YAML 1.1\n---\nversion: 1\ndlp: {enabled: off}\n")
    text_version = tmp_path / "text-version.yaml"
    text_version.write_text('version: "1"\nname: x\n')
    good = tmp_path / "good.yaml"
    good.write_text(POLICY_FOR_TEST)
    result = _warden("policy", "check", str(merged), str(yaml11), str(text_version), str(good))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{merged}:2:7: merge keys (<<) are not allowed")
    assert errors[1].startswith(f"{yaml11}:1:1: '%YAML 1.1' is not supported")
    assert errors[2].startswith(f"{text_version}:1:10: version: Value error, 'version: 1' must")
    assert len(errors) == 3
    assert result.stdout.startswith(f"{good}: ok")
