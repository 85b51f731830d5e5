"""Read a YAML data file into a pydantic model, with errors that point at file:line:column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from warden.errors import ConfigError

__all__ = ["load_yaml_model", "parse_yaml_model"]


def load_yaml_model[M: BaseModel](path: Path, model: type[M]) -> M:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    return parse_yaml_model(text, model, source=str(path))


def parse_yaml_model[M: BaseModel](text: str, model: type[M], source: str) -> M:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ConfigError(f"{where}: invalid YAML: {e.problem or e.context}") from e
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        loc = tuple(first["loc"])
        line, col = _position(root, loc, at_key=first["type"] == "extra_forbidden")
        field = ".".join(str(p) for p in loc) or "(top level)"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        raise ConfigError(f"{source}:{line}:{col}: {field}: {first['msg']}{more}") from e


def _position(
    node: yaml.Node | None, loc: tuple[Any, ...], at_key: bool = False
) -> tuple[int, int]:
    """Walk the composed YAML tree along a pydantic error location to the nearest node.

    An unknown key (`at_key`) is shown at the key itself; anything else at its value.
    """
    if node is None:
        return 1, 1
    best = node
    for i, part in enumerate(loc):
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = key if at_key and i == len(loc) - 1 else value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = best = child
    return best.start_mark.line + 1, best.start_mark.column + 1
