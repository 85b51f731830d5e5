"""Where the CLI looks for data files when none is named."""

from __future__ import annotations

from pathlib import Path

from warden.errors import ConfigError

DEFAULT_POLICY = Path("policies/default.yaml")
DEFAULT_IDENTITY = Path("policies/identity.yaml")


def existing(path: Path | None, default: Path) -> Path | None:
    """The named file (which must exist), else the default if present, else None."""
    if path is not None:
        if not path.exists():
            raise ConfigError(f"{path}: no such file")
        return path
    return default if default.exists() else None
