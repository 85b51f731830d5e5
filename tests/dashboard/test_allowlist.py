"""Allow-list edits: only dlp.allow_list changes, and only a policy that validates is saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from dashboard.review.allowlist import add_to_allow_list, fingerprint_matches, planned_text
from warden.dlp.fingerprint import Fingerprinter
from warden.errors import ConfigError
from warden.policy.model import load_policy

REPO = Path(__file__).parents[2]

CASES = {
    "flow, empty": "version: 1\ndlp:\n  allow_list: []\n  ner: false\n",
    "flow, items": "version: 1\ndlp:\n  allow_list: [a, 'b c']  # why\n  ner: false\n",
    "block": (
        "version: 1\ndlp:\n  allow_list:\n    - a   # note\n    - b\n  # trailing\n  ner: false\n"
    ),
    "block, no indent": "version: 1\ndlp:\n  allow_list:\n  - a\naudit: {}\n",
    "no allow_list": "version: 1\ndlp:\n  deny_list:\n    - >-\n      long\n      name\n# end\n",
    "null allow_list": "version: 1\ndlp:\n  allow_list:\n  ner: false\n",
    "null dlp": "version: 1\ndlp:\naudit: {}\n",
    "no dlp": "version: 1\nname: x",
    "empty": "",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_value_is_added_and_everything_else_kept(text: str):
    value = 'odd "quoted" value: with # and \\ in it'
    out = planned_text(text, value, "added by ann")
    data = yaml.safe_load(out)
    before = (yaml.safe_load(text) or {}).get("dlp") or {}
    assert data["dlp"]["allow_list"] == [*(before.get("allow_list") or []), value]
    # Every other line is still there, in order (a flow list's own line becomes a block).
    others = [line for line in text.splitlines() if "allow_list" not in line]
    remaining = iter(out.splitlines())
    assert all(any(k.startswith(line.split("  #")[0]) for k in remaining) for line in others)
    assert "# added by ann" in out


def test_the_shipped_default_policy_gets_a_two_line_edit(tmp_path: Path):
    path = tmp_path / "default.yaml"
    path.write_text((REPO / "policies/default.yaml").read_text())
    before = path.read_text().splitlines()
    edit = add_to_allow_list(path, "support@example.com", "EMAIL_ADDRESS false positive")
    after = path.read_text().splitlines()
    assert edit.added and edit.entries == 1
    assert [line for line in before if line not in after] == ["  allow_list: []"]
    assert [line for line in after if line not in before] == [
        "  allow_list:",
        "    # EMAIL_ADDRESS false positive",
        '    - "support@example.com"',
    ]
    assert load_policy(path).dlp.allow_list == ["support@example.com"]


def test_a_value_already_listed_is_not_added_twice(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\ndlp:\n  allow_list: [Support@Example.com]\n")
    before = path.read_text()
    edit = add_to_allow_list(path, "support@example.com", "again")
    assert not edit.added and path.read_text() == before


def test_an_invalid_policy_is_not_touched(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\ndefault_action: maybe\n")
    with pytest.raises(ConfigError, match="default_action"):
        add_to_allow_list(path, "x@example.com", "note")
    assert path.read_text() == "version: 1\ndefault_action: maybe\n"


def test_a_policy_changed_since_it_was_read_is_not_overwritten(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\n")
    stale = path.stat().st_mtime_ns - 1
    with pytest.raises(ConfigError, match="changed since"):
        add_to_allow_list(path, "x@example.com", "note", expected_mtime_ns=stale)


def test_mode_is_kept_and_the_file_replaced_atomically(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\n")
    path.chmod(0o640)
    add_to_allow_list(path, "x@example.com", "note")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["p.yaml"]  # no temp files left


@pytest.mark.parametrize("bad", ["", "   ", "two\nlines"])
def test_empty_or_multi_line_values_are_refused(tmp_path: Path, bad: str):
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\n")
    with pytest.raises(ConfigError):
        add_to_allow_list(path, bad, "note")


def test_fingerprint_check_uses_the_deployment_salt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("WARDEN_DLP_SALT", raising=False)
    assert fingerprint_matches(tmp_path, "v", {"whatever"}) is None  # no salt: cannot tell
    assert not (tmp_path / "dlp-salt").exists()  # and none was created
    salt = os.urandom(32)
    (tmp_path / "dlp-salt").write_text(salt.hex())
    found = {Fingerprinter(salt).hash("secret-value")}
    assert fingerprint_matches(tmp_path, "secret-value", found) is True
    assert fingerprint_matches(tmp_path, "other-value", found) is False
