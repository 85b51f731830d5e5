"""Where the CLI looks for data files when none is named."""

from __future__ import annotations

from pathlib import Path

from warden.errors import ConfigError

DEFAULT_POLICY = Path("policies/default.yaml")
DEFAULT_IDENTITY = Path("policies/identity.yaml")
# `--policy none`: the operator says, in so many words, that the proxy runs without a policy.
NO_POLICY = "none"


def existing(path: Path | None, default: Path) -> Path | None:
    """The named file (which must exist), else the default if present, else None."""
    if path is not None:
        if not path.exists():
            raise ConfigError(f"{path}: no such file")
        return path
    return default if default.exists() else None


def proxy_policy(named: str | None) -> Path | None:
    """The policy the proxy enforces: the named file, else policies/default.yaml here.

    Started from the wrong directory, the proxy used to find no default policy and run
    without one, silently: nothing blocked, nothing redacted. Running without a policy is
    now a choice said out loud (`--policy none`), never an accident of the working directory.
    """
    if named == NO_POLICY:
        return None
    if named is not None:
        return existing(Path(named), DEFAULT_POLICY)
    if DEFAULT_POLICY.exists():
        return DEFAULT_POLICY
    raise ConfigError(
        f"no policy: {DEFAULT_POLICY} is not in {Path.cwd()} and --policy was not given. "
        f"Start Warden from the project directory, name a policy with --policy FILE, or run "
        f"with no policy at all (nothing blocked or redacted) with --policy {NO_POLICY}"
    )
