"""Add a value to a policy's dlp.allow_list without touching anything else in the file.

The edit is made in the text, at the position the YAML parser reports for dlp.allow_list,
so comments, key order, quoting and indentation elsewhere stay exactly as the person wrote
them (a YAML round trip would reformat the whole file). The result is validated with
load_policy, the loader the proxy uses, before it replaces the file; the proxy then picks it
up within a second through its hot reload. An edit that does not validate is not written.

Only the literal value can be added: the audit log never holds the value that was found,
just its type, a masked preview and a salted hash, so an analyst types the value and the
dashboard checks it against the hash where it can (fingerprint_matches).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from warden.dlp.fingerprint import SALT_ENV, SALT_FILE, Fingerprinter
from warden.errors import ConfigError
from warden.policy.model import load_policy

__all__ = ["AllowListEdit", "add_to_allow_list", "fingerprint_matches", "planned_text"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class AllowListEdit:
    path: Path
    value: str
    added: bool  # False: the value was already on the list (nothing written)
    entries: int  # allow-list length afterwards


def add_to_allow_list(
    path: Path, value: str, comment: str, expected_mtime_ns: int | None = None
) -> AllowListEdit:
    """Append `value` to dlp.allow_list in the policy at `path`, with `comment` above it.

    ConfigError (nothing written) if the file changed since `expected_mtime_ns`, cannot be
    edited safely, or would not validate afterwards.
    """
    value = value.strip()
    if not value:
        raise ConfigError("the allow-list entry is empty")
    if "\n" in value or "\r" in value:
        raise ConfigError("an allow-list entry is one line")
    try:
        stat = path.stat()
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from e
    if expected_mtime_ns is not None and stat.st_mtime_ns != expected_mtime_ns:
        raise ConfigError(f"{path} changed since this page loaded it; reload and try again")
    current = load_policy(path)  # the file as it is must be valid before it is edited
    if value.casefold() in {v.strip().casefold() for v in current.dlp.allow_list}:
        return AllowListEdit(path, value, False, len(current.dlp.allow_list))
    new_text = planned_text(text, value, comment, source=str(path))
    checked = _validated(path, new_text, value)
    _replace(path, new_text, stat.st_mode & 0o777)
    return AllowListEdit(path, value, True, len(checked))


def planned_text(text: str, value: str, comment: str, source: str = "policy") -> str:
    """The policy text with the entry added: pure, so the page can show the change first."""
    item = json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    note = _CONTROL.sub(" ", comment).strip()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {e}") from e
    if root is None or (isinstance(root, yaml.MappingNode) and not root.flow_style):
        dlp = _child(root, "dlp") if root is not None else None
    else:
        raise ConfigError(f"{source}: the policy is not a block mapping; edit it by hand")
    if dlp is None:
        return _ensure_newline(text) + "dlp:\n  allow_list:" + _lines(4, item, note) + "\n"
    key, node = dlp
    column = key.start_mark.column
    if _is_null(node):
        return _insert_after_line(
            text, key, f"\n{' ' * (column + 2)}allow_list:" + _lines(column + 4, item, note)
        )
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        raise ConfigError(f"{source}: dlp is not a block mapping; add the entry by hand")
    indent = node.value[0][0].start_mark.column if node.value else column + 2
    found = _child(node, "allow_list")
    if found is None:
        block = f"\n{' ' * indent}allow_list:" + _lines(indent + 2, item, note)
        return _insert_after_line(text, _last_node(node), block)
    list_key, seq = found
    if _is_null(seq):
        return _insert_after_line(text, list_key, _lines(indent + 2, item, note))
    if not isinstance(seq, yaml.SequenceNode):
        raise ConfigError(f"{source}: dlp.allow_list is not a list")
    if seq.flow_style:
        # [a, b] becomes a block list; each old item keeps its own source text.
        pad = " " * (indent + 2)
        olds = "".join(f"\n{pad}- {text[i.start_mark.index : i.end_mark.index]}" for i in seq.value)
        start, end = seq.start_mark.index, seq.end_mark.index
        return text[:start].rstrip(" ") + olds + _lines(indent + 2, item, note) + text[end:]
    dash = _dash_column(text, seq.value[0]) if seq.value else indent + 2
    return _insert_after_line(text, _last_node(seq), _lines(dash, item, note))


def fingerprint_matches(data_dir: Path, value: str, hashes: set[str]) -> bool | None:
    """Whether `value` hashes to one of the finding hashes, with the deployment's salt.

    None when the salt is not available here (then nothing can be said either way). The
    salt file is only read, never created: the dashboard must not invent a second salt.
    """
    salt: bytes | None = None
    if os.environ.get(SALT_ENV):
        salt = os.environ[SALT_ENV].encode("utf-8")
    else:
        try:
            salt = bytes.fromhex((data_dir / SALT_FILE).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None
    fingerprint = Fingerprinter(salt)
    return any(fingerprint.hash(v) in hashes for v in {value, value.strip()})


# -- text surgery -------------------------------------------------------------------------


def _child(mapping: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _last_node(node: yaml.Node) -> yaml.Node:
    """The node that ends last inside a block collection (flow collections count whole)."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        if node.flow_style:
            break
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _insert_after_line(text: str, node: yaml.Node, lines: str) -> str:
    """Insert `lines` (each led by a newline) at the end of the line `node` ends on, so a
    comment at the end of that line stays with it."""
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode) and node.style in (">", "|"):
        end = max(text.rfind("\n", 0, end), 0)  # block scalars end after their last newline
    newline = text.find("\n", end)
    cut = len(text) if newline == -1 else newline
    return text[:cut] + lines + text[cut:]


def _lines(dash: int, item: str, note: str) -> str:
    pad = " " * dash
    return (f"\n{pad}# {note}" if note else "") + f"\n{pad}- {item}"


def _dash_column(text: str, item: yaml.Node) -> int:
    line_start = text.rfind("\n", 0, item.start_mark.index) + 1
    before = text[line_start : item.start_mark.index].rstrip()
    return len(before) - 1 if before.endswith("-") else item.start_mark.column


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def _validated(path: Path, text: str, value: str) -> list[str]:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check.yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            policy = load_policy(Path(tmp))
        except ConfigError as e:
            raise ConfigError(str(e).replace(tmp, str(path))) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    if value not in policy.dlp.allow_list:  # the edit must say what it was meant to say
        raise ConfigError(f"{path}: the edited policy does not list the new entry; not saved")
    return list(policy.dlp.allow_list)


def _replace(path: Path, text: str, mode: int) -> None:
    """Atomically: the proxy's reload sees the old file or the new one, never half of it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
