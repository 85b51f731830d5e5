"""The Policies page's dry run: the same call `warden policy test` makes, with its inputs.

Same engine (warden.policy.dryrun.dry_run), same catalog (the shipped one plus the site
files `warden run` got), same DLP scanner settings: a dry run here decides exactly as the
CLI does for the same user, groups, host, model and prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from dashboard.catalogs import site_catalog
from warden.dlp.types import Finding
from warden.identity import Identity
from warden.policy.dryrun import DryRun, dry_run
from warden.policy.model import DlpPolicy, Policy
from warden.schemas.normalized import NormalizedRequest

__all__ = ["run_dry"]


def run_dry(
    policy: Policy,
    *,
    host: str,
    prompt: str,
    user: str = "anonymous",
    groups: tuple[str, ...] = (),
    model: str | None = None,
    catalogs: tuple[Path, ...] = (),
    now: datetime | None = None,
    use_dlp: bool = True,
) -> DryRun:
    identity = Identity(user or "anonymous", tuple(sorted(set(groups))), None, "dry-run", None)
    scan = _scanner(policy.dlp.model_dump_json()) if use_dlp and policy.dlp.enabled else None
    return dry_run(
        policy,
        site_catalog(catalogs),
        identity,
        host,
        prompt=prompt,
        model=model or None,
        now=now,
        scan=scan,
    )


# Scanners are costly to build (the NER model loads once); one per DLP settings is kept.
# Keyed by the settings as JSON: the pydantic model holds lists and cannot be hashed.
@lru_cache(maxsize=2)
def _scanner(settings_json: str) -> Callable[[NormalizedRequest], tuple[Finding, ...]] | None:
    try:
        from warden.dlp.scanner import Scanner
    except ImportError:  # DLP not installed in this build, as in `warden policy test`
        return None
    scanner = Scanner(DlpPolicy.model_validate_json(settings_json))
    return lambda request: tuple(scanner.scan(request).findings)
