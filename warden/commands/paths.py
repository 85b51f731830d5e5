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


def missing_identity_warning(named_policy: str | None, identity: Path | None) -> str | None:
    """A warning when the policy came from elsewhere but the identity file was looked for here.

    `--policy /etc/warden/policy.yaml` started from another directory used to drop proxy
    login without a word: the default identity file is only looked for in the working
    directory. Running without one stays allowed (tests and benchmarks do), but not unsaid.
    """
    if identity is not None or named_policy in (None, NO_POLICY):
        return None
    policy = Path(named_policy).resolve()
    if policy.is_relative_to(Path.cwd().resolve()):
        return None
    beside = policy.parent / DEFAULT_IDENTITY.name
    hint = f"; {beside} exists: name it with --identity {beside}" if beside.exists() else ""
    return (
        f"warning: no identity file: {DEFAULT_IDENTITY} is not in {Path.cwd()} and --identity "
        f"was not given, so every user is anonymous and there is no proxy login{hint}"
    )
