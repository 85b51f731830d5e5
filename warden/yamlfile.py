"""Read a YAML data file into a pydantic model, with errors that point at file:line:column."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pydantic import BaseModel, ValidationError

from warden.errors import ConfigError
from warden.strict_yaml import read_yaml_document

__all__ = ["MAX_DATA_FILE_BYTES", "load_yaml_model", "parse_yaml_model", "read_text_file"]

# Policy, identity, catalog and price files are written by hand; the largest real one is a
# few hundred KiB. Anything past this is a mistake (a log pasted in, a symlink to a device),
# and reading it whole would hold memory and the reload for as long as it grows.
MAX_DATA_FILE_BYTES = 10 * 1024 * 1024


def read_text_file(path: Path, limit: int = MAX_DATA_FILE_BYTES) -> str:
    """The file's text; ConfigError naming the file when it is gone, not a regular file,
    larger than `limit` bytes, or not UTF-8."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; the
        # check below then refuses it without reading. Symlinks are followed.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from e
    with os.fdopen(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ConfigError(
                f"{path}: not a regular file ({_kind(mode)}); a data file must be a plain file"
            )
        try:
            data = file.read(limit + 1)
        except OSError as e:
            raise ConfigError(f"{path}: cannot read: {e.strerror}") from e
    if len(data) > limit:
        raise ConfigError(
            f"{path}: larger than the {limit // (1024 * 1024)} MiB limit for a data file "
            f"({limit} bytes); a hand-written file is far smaller"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a plain file"


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
