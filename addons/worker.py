"""One worker of `warden run --workers N`: `python -m addons.worker SETTINGS_JSON`.

The supervisor (warden/workers.py) has already checked the configuration and started the
dashboard; a worker only runs the proxy, as the instance it is told, on the shared port.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from addons.runner import ProxySettings

__all__ = ["from_json", "to_json"]

_PR_SET_PDEATHSIG = 1
_PATHS = {"certs_dir", "data_dir", "policy", "identity", "workers_status"}


def to_json(settings: ProxySettings) -> str:
    data = asdict(settings)
    for name, value in data.items():
        if isinstance(value, Path):
            data[name] = str(value)
    data["catalogs"] = [str(p) for p in settings.catalogs]
    data["allowed_unsafe"] = sorted(settings.allowed_unsafe)
    return json.dumps(data)


def from_json(text: str) -> ProxySettings:
    data: dict[str, Any] = json.loads(text)
    known = {f.name for f in fields(ProxySettings)}
    values = {k: v for k, v in data.items() if k in known}
    for name in _PATHS & values.keys():
        if values[name] is not None:
            values[name] = Path(values[name])
    values["catalogs"] = [Path(p) for p in values.get("catalogs", [])]
    values["allowed_unsafe"] = frozenset(values.get("allowed_unsafe", []))
    return ProxySettings(**values)


def _die_with_the_supervisor(supervisor: int) -> None:
    """SIGTERM when the supervisor dies, even by kill -9: no orphan serving unsupervised."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the supervisor's SIGTERM on exit still reaches us
    if os.getppid() != supervisor:  # it died before prctl took effect
        sys.exit(1)


def main(argv: list[str]) -> int:
    from addons.runner import run_proxy

    _die_with_the_supervisor(int(os.environ.get("WARDEN_SUPERVISOR_PID", os.getppid())))
    return run_proxy(from_json(argv[0]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
