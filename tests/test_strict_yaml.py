"""Policy, identity, catalog and price files are read strictly: what a person did not mean to
write (an emptied file, a file without its version, a key given twice) is refused with the
file, line and column, before any of it can take effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.catalog.loader import read_catalog_file
from warden.errors import ConfigError
from warden.identity import load_identity_config
from warden.policy import load_policy
from warden.strict_yaml import read_yaml_document
from warden.usage.prices import PriceTable

POLICY = """\
version: 1
default_action: monitor
rules:
  - id: no-gpt5
    match: {models: ["gpt-5*"]}
    action: block
"""


def _refused(load, path: Path, text: str) -> str:  # type: ignore[no-untyped-def]
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load(path)
    return str(raised.value)


LOADERS = {
    "policy": load_policy,
    "identity": load_identity_config,
    "catalog": read_catalog_file,
    "prices": PriceTable.load,
}


@pytest.mark.parametrize("kind", LOADERS)
@pytest.mark.parametrize("text", ["", "\n\n", "# all commented out\n# rules: []\n", "---\n", "~\n"])
def test_an_empty_file_is_refused_not_read_as_no_rules(tmp_path: Path, kind: str, text: str):
    path = tmp_path / f"{kind}.yaml"
    message = _refused(LOADERS[kind], path, text)
    assert message.startswith(f"{path}:1:1: the file is empty")


@pytest.mark.parametrize("kind", LOADERS)
def test_a_file_without_version_is_refused(tmp_path: Path, kind: str):
    path = tmp_path / f"{kind}.yaml"
    message = _refused(LOADERS[kind], path, "# site file\ndefault_action: monitor\n")
    assert message.startswith(f"{path}:2:1: 'version:' is missing at the top level")


@pytest.mark.parametrize("kind", ["policy", "identity", "catalog"])
@pytest.mark.parametrize("written", ["0x1", '!!int "1"', "0o1", "+1"])
def test_a_version_not_written_as_plain_digits_is_refused(tmp_path: Path, kind: str, written: str):
    """`0x1` and `!!int "1"` load as 1, but are not what a person reading the file sees."""
    path = tmp_path / f"{kind}.yaml"
    message = _refused(LOADERS[kind], path, f"version: {written}\n")
    assert message == f"{path}:1:10: version: write the format version as plain digits, " + (
        "e.g. 'version: 1'"
    )


def test_a_version_inside_a_section_is_not_the_files_version(tmp_path: Path):
    path = tmp_path / "p.yaml"
    message = _refused(load_policy, path, "dlp:\n  version: 1\n")
    assert "'version:' is missing at the top level" in message


def test_a_repeated_top_level_key_names_both_places(tmp_path: Path):
    path = tmp_path / "x.yaml"
    text = POLICY + "rules: []\n"  # a second `rules:` would drop the block rule
    message = _refused(load_policy, path, text)
    assert message == f"{path}:7:1: duplicate key 'rules' (first at {path}:3:1)"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # block mapping four levels down
        (
            "version: 1\nrules:\n  - id: r\n    action: block\n    match:\n"
            "      models: [a]\n      apps: [openai]\n      models: [b]\n",
            ":8:7: duplicate key 'models' (first at {path}:6:7)",
        ),
        # flow mapping
        (
            "version: 1\nrules:\n  - {id: r, action: block, id: s}\n",
            ":3:28: duplicate key 'id' (first at {path}:3:6)",
        ),
        # the same key quoted once and plain once is the same key
        ('version: 1\ndefault_action: allow\n"default_action": block\n', ":3:1:"),
        # `version` itself
        ("version: 1\nversion: 1\n", ":2:1: duplicate key 'version' (first at {path}:1:1)"),
    ],
)
def test_a_repeated_key_at_any_depth_names_both_places(tmp_path: Path, text: str, where: str):
    path = tmp_path / "p.yaml"
    message = _refused(load_policy, path, text)
    assert message.startswith(f"{path}{where.format(path=path)}"), message


def test_a_repeated_key_in_the_alerts_section_does_not_show_its_values(tmp_path: Path):
    """A webhook URL is a credential: the error names the key and the places, not values."""
    path = tmp_path / "p.yaml"
    text = (
        "version: 1\nalerts:\n  sinks:\n    soc:\n      type: slack\n"
        "      webhook_url: https://hooks.example.test/T0/B0/first-secret-part\n"
        "      webhook_url: https://hooks.example.test/T0/B0/second-secret-part\n"
    )
    message = _refused(load_policy, path, text)
    assert message == f"{path}:7:7: duplicate key 'webhook_url' (first at {path}:6:7)"
    assert "secret-part" not in message


def test_a_repeated_key_in_an_identity_file_is_refused(tmp_path: Path):
    path = tmp_path / "identity.yaml"
    text = "version: 1\nproxy_auth:\n  required: true\n  required: false\n"
    message = _refused(load_identity_config, path, text)
    assert message == f"{path}:4:3: duplicate key 'required' (first at {path}:3:3)"


def test_a_list_or_a_scalar_at_the_top_is_refused(tmp_path: Path):
    path = tmp_path / "p.yaml"
    assert "found a list" in _refused(load_policy, path, "- version: 1\n")
    assert "found a single value" in _refused(load_policy, path, "version 1\n")


def test_validation_errors_still_point_at_the_value(tmp_path: Path):
    path = tmp_path / "p.yaml"
    message = _refused(load_policy, path, "version: 1\ndefault_action: sometimes\n")
    assert message.startswith(f"{path}:2:17: default_action")


def test_an_alias_that_contains_itself_does_not_hang_the_check():
    with pytest.raises(ConfigError, match="found a list"):
        read_yaml_document("&a [*a]\n", "loop.yaml")
    doc = read_yaml_document("version: 1\nx: &a [1, *a]\n", "loop.yaml")
    assert doc.data["version"] == 1


def test_values_are_plain_python_read_as_yaml_1_2(tmp_path: Path):
    doc = read_yaml_document(
        "version: 1\nratio: 0.5\nmode: 0755\nflag: yes\nwhen: 9:30\nnorway: NO\nn: 1_000\n",
        "v.yaml",
    )
    assert doc.data == {
        "version": 1,
        "ratio": 0.5,
        "mode": 755,
        "flag": "yes",
        "when": "9:30",
        "norway": "NO",
        "n": 1000,
    }
    assert [type(v) for v in doc.data.values()] == [int, float, int, str, str, str, int]
    # Booleans written the YAML 1.1 way still mean what they say in boolean fields.
    path = tmp_path / "identity.yaml"
    path.write_text("version: 1\nproxy_auth: {required: yes}\n")
    assert load_identity_config(path).proxy_auth.required is True


def test_an_unknown_tag_is_refused_with_its_position():
    with pytest.raises(ConfigError, match=r"t\.yaml:2:7: invalid YAML"):
        read_yaml_document("version: 1\nname: !!python/object:os.system x\n", "t.yaml")


def test_every_shipped_and_example_file_loads():
    root = Path(__file__).parents[1]
    for path in sorted((root / "policies").rglob("*.yaml")):
        if path.name == "identity.yaml":
            load_identity_config(path)
        else:
            load_policy(path)
    assert read_catalog_file(root / "warden" / "catalog" / "catalog.yaml")
    assert PriceTable.load().version


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # the merged-in value would win over nothing and turn DLP off
        ("version: 1\ndlp:\n  <<: [{enabled: false}, {enabled: true}]\n", ":3:3:"),
        # beside the key it overrides: a key set twice without a duplicate error
        ("version: 1\n<<: {default_action: allow}\ndefault_action: block\n", ":2:1:"),
        ("version: 1\nbase: &b {enabled: false}\ndlp:\n  <<: *b\n  ner: false\n", ":4:3:"),
    ],
)
def test_a_merge_key_is_refused_with_its_position(tmp_path: Path, text: str, where: str):
    path = tmp_path / "policy.yaml"
    message = _refused(load_policy, path, text)
    assert message.startswith(f"{path}{where} merge keys (<<) are not allowed: write the keys")


def test_a_merge_key_is_refused_in_an_identity_file(tmp_path: Path):
    path = tmp_path / "identity.yaml"
    text = "version: 1\nproxy_auth:\n  <<: {required: false}\n  users_file: null\n"
    assert "identity.yaml:3:3: merge keys (<<) are not allowed" in _refused(
        load_identity_config, path, text
    )


def test_a_quoted_double_angle_key_is_an_ordinary_key(tmp_path: Path):
    doc = read_yaml_document("version: 1\n'<<': 2\n", "t.yaml")
    assert doc.data["<<"] == 2


@pytest.mark.parametrize("kind", LOADERS)
def test_a_yaml_1_1_directive_is_refused(tmp_path: Path, kind: str):
    path = tmp_path / f"{kind}.yaml"
    message = _refused(LOADERS[kind], path, "# site file\n%YAML 1.1\n---\nversion: 1\n")
    assert message.startswith(f"{path}:2:1: '%YAML 1.1' is not supported")


def test_a_yaml_1_2_directive_is_accepted():
    doc = read_yaml_document("%YAML 1.2\n---\nversion: 1\nflag: on\n", "t.yaml")
    assert doc.data == {"version": 1, "flag": "on"}


@pytest.mark.parametrize("kind", ["policy", "identity", "catalog"])
@pytest.mark.parametrize("version", ['"1"', "1.0", "true", "!!str 1"])
def test_the_version_must_be_a_whole_number_in_every_file_kind(
    tmp_path: Path, kind: str, version: str
):
    path = tmp_path / f"{kind}.yaml"
    extra = "apps: []\n" if kind == "catalog" else ""
    message = _refused(LOADERS[kind], path, f"version: {version}\n{extra}")
    assert message.startswith(f"{path}:1:10: ")
