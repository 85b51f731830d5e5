"""Read a YAML data file into a pydantic model, with errors that point at file:line:column."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError

from warden.errors import ConfigError
from warden.strict_yaml import read_yaml_document

__all__ = ["load_yaml_model", "parse_yaml_model", "read_text_file"]


def read_text_file(path: Path) -> str:
    """The file's text; ConfigError naming the file when it is gone or not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e


def load_yaml_model[M: BaseModel](path: Path, model: type[M], require_version: bool = True) -> M:
    return parse_yaml_model(read_text_file(path), model, str(path), require_version)


def parse_yaml_model[M: BaseModel](
    text: str, model: type[M], source: str, require_version: bool = True
) -> M:
    """Validate a strictly read file (see warden/strict_yaml.py) against `model`."""
    doc = read_yaml_document(text, source, require_version)
    try:
        return model.model_validate(doc.data)
    except ValidationError as e:
        first = e.errors()[0]
        loc = tuple(first["loc"])
        # An unknown key is shown at the key itself; anything else at its value.
        where = doc.where(loc, at_key=first["type"] == "extra_forbidden")
        field = ".".join(str(p) for p in loc) or "(top level)"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        raise ConfigError(f"{where}: {field}: {first['msg']}{more}") from e
