"""Read a hand-edited YAML data file strictly, remembering where each value was written.

Policy, identity, catalog and price files decide what leaves the company, so a file that is
not what its author meant must be refused rather than half-read:

- an empty file (or one of only comments) is what a half-written save looks like;
- a file without `version:` at the top level may be anything, e.g. the wrong file;
- a key given twice in one mapping, at any depth, silently loses one of the two values;
- a merge key (`<<:`) sets keys a second time without that being a duplicate, so it is
  refused too (write the keys out);
- a `%YAML 1.1` directive would change what `on`/`no` mean in a file read as 1.2;
- a version written other than as plain digits (`0x1`, `1e0`, `!!int "1"`) reads as 1 to
  the loader but not to a person or to another tool.

Every refusal names `file:line:column` (both places for a duplicate key).

The file is read as YAML 1.2 (ruamel.yaml's safe loader, which returns plain Python types):
`yes`, `no`, `on`, `off` are text, and pydantic turns them into booleans where a field is a
boolean; `0755` is the number 755 and `9:30` is text, not sexagesimal minutes. The loader
reports duplicates with positions itself, so no position tracking is written here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from warden.errors import ConfigError

__all__ = ["YamlDocument", "read_yaml_document"]


@dataclass(frozen=True)
class YamlDocument:
    """A file's top-level mapping as plain Python data, and the parse tree it came from."""

    source: str
    data: dict[Any, Any]
    root: MappingNode

    def where(self, loc: Sequence[Any] = (), at_key: bool = False) -> str:
        """`file:line:column` of the value at `loc` (keys and list indexes), or the nearest
        enclosing one that exists; with `at_key`, of the last key itself."""
        line, column = _position(self.root, tuple(loc), at_key)
        return f"{self.source}:{line}:{column}"


def read_yaml_document(text: str, source: str, require_version: bool = True) -> YamlDocument:
    """Parse `text`; raise ConfigError("source:line:column: ...") unless it is a non-empty
    mapping with no key given twice and (unless told otherwise) a top-level `version:`."""
    yaml = YAML(typ="safe", pure=True)  # one per file: a loader keeps state while parsing
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as e:
        raise ConfigError(f"{_at(source, e.problem_mark or e.context_mark)}: invalid YAML: "
                          f"{e.problem or e.context}") from None  # fmt: skip
    except YAMLError as e:
        raise ConfigError(f"{source}: invalid YAML: {e}") from None
    if root is None or (isinstance(root, ScalarNode) and str(root.tag).endswith(":null")):
        raise ConfigError(
            f"{source}:1:1: the file is empty; a data file starts with its format version, "
            "e.g. 'version: 1' (an emptied file is refused, not read as 'no rules')"
        )
    if not isinstance(root, MappingNode):
        found = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise ConfigError(
            f"{_at(source, root.start_mark)}: expected a mapping of keys (starting with "
            f"'version:') at the top level, found {found}"
        )
    if yaml.version is not None and tuple(yaml.version) != (1, 2):
        raise ConfigError(
            f"{source}:{_directive_line(text)}:1: '%YAML {'.'.join(map(str, yaml.version))}' "
            "is not supported: data files are read as YAML 1.2 (remove the directive)"
        )
    _refuse_duplicate_keys(root, source)
    try:
        data = yaml.constructor.construct_document(root)
    except DuplicateKeyError as e:
        # Two spellings of one key (`1` and `0x1`): ruamel's own message quotes both values,
        # which may be credentials (a webhook URL), so only the positions are shown.
        raise ConfigError(
            f"{_at(source, e.problem_mark)}: duplicate key "
            f"(in the mapping at {_at(source, e.context_mark)})"
        ) from None
    except MarkedYAMLError as e:
        raise ConfigError(f"{_at(source, e.problem_mark or e.context_mark)}: invalid YAML: "
                          f"{e.problem or e.context}") from None  # fmt: skip
    if require_version and "version" not in data:
        raise ConfigError(
            f"{_at(source, root.start_mark)}: 'version:' is missing at the top level; a data "
            "file names the format version it is written for, e.g. 'version: 1'"
        )
    if isinstance(data.get("version"), int):
        _refuse_disguised_version(root, source)
    return YamlDocument(source, data, root)


def _refuse_disguised_version(root: MappingNode, source: str) -> None:
    """A version that loads as a number must read as that number: plain digits."""
    for key, value in root.value:
        if not (isinstance(key, ScalarNode) and key.value == "version"):
            continue
        written = value.value if isinstance(value, ScalarNode) and value.style is None else ""
        if written.isascii() and written.isdigit() and str(value.tag).endswith(":int"):
            return
        raise ConfigError(
            f"{_at(source, value.start_mark)}: version: write the format version as plain "
            "digits, e.g. 'version: 1'"
        )


def _at(source: str, mark: Any) -> str:
    return f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source


def _directive_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("%YAML"):
            return number
    return 1


def _refuse_duplicate_keys(root: Node, source: str) -> None:
    for mapping in _mappings(root):
        first: dict[tuple[str | None, str], ScalarNode] = {}
        for key, _ in mapping.value:
            if not isinstance(key, ScalarNode):
                continue  # a complex key; the constructor refuses those
            if str(key.tag).endswith(":merge"):
                # `<<: {enabled: false}` beside `enabled: true` is a key set twice that the
                # loader resolves silently, and `<<: [a, b]` picks a winner by position.
                raise ConfigError(
                    f"{_at(source, key.start_mark)}: merge keys (<<) are not allowed: "
                    "write the keys out"
                )
            earlier = first.setdefault((key.tag, key.value), key)
            if earlier is not key:
                raise ConfigError(
                    f"{_at(source, key.start_mark)}: duplicate key {key.value!r} "
                    f"(first at {_at(source, earlier.start_mark)})"
                )


def _mappings(root: Node) -> Iterator[MappingNode]:
    """Every mapping in the tree once, in document order (an alias repeats a node, and may
    even contain itself)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            yield node
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            continue
        stack.extend(reversed(children))


def _position(node: Node, loc: tuple[Any, ...], at_key: bool) -> tuple[int, int]:
    """Walk the parse tree along a location (a pydantic error's `loc`) to the nearest node."""
    best = node
    for i, part in enumerate(loc):
        child = None
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == str(part):
                    child = key if at_key and i == len(loc) - 1 else value
                    break
        elif (
            isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = best = child
    return best.start_mark.line + 1, best.start_mark.column + 1
