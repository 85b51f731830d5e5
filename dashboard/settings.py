"""What the dashboard process needs to know, handed over by `warden dashboard` in the environment.

Environment variables rather than script arguments: the same settings then reach a real
`streamlit run` and an AppTest in the test suite without any argument parsing in the app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_USERS_FILE", "ENV", "DashboardSettings"]

DEFAULT_USERS_FILE = Path("policies/dashboard-users.yaml")

ENV = {
    "data_dir": "WARDEN_DASHBOARD_DATA_DIR",
    "users_file": "WARDEN_DASHBOARD_USERS",
    "policy": "WARDEN_DASHBOARD_POLICY",
    "proxy": "WARDEN_DASHBOARD_PROXY",
    "refresh_s": "WARDEN_DASHBOARD_REFRESH_S",
    "catalogs": "WARDEN_DASHBOARD_CATALOGS",
}


@dataclass(frozen=True, slots=True)
class DashboardSettings:
    data_dir: Path = Path("data")
    users_file: Path = DEFAULT_USERS_FILE
    policy: Path = Path("policies/default.yaml")
    proxy: str | None = "127.0.0.1:8080"  # host:port the Health page checks; None: unknown
    refresh_s: int = 30  # pages re-query this often; 0 turns auto-refresh off
    catalogs: tuple[Path, ...] = field(default=())  # site catalog files, as `warden run` got

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DashboardSettings:
        env = os.environ if environ is None else environ
        defaults = cls()

        def path(key: str, default: Path) -> Path:
            value = env.get(ENV[key], "").strip()
            return Path(value) if value else default

        refresh = env.get(ENV["refresh_s"], "").strip()
        catalogs = env.get(ENV["catalogs"], "")
        proxy = env.get(ENV["proxy"])
        return cls(
            data_dir=path("data_dir", defaults.data_dir),
            users_file=path("users_file", defaults.users_file),
            policy=path("policy", defaults.policy),
            proxy=defaults.proxy if proxy is None else (proxy.strip() or None),
            refresh_s=max(0, int(refresh)) if refresh.isdigit() else defaults.refresh_s,
            catalogs=tuple(Path(p) for p in catalogs.split(os.pathsep) if p.strip()),
        )

    def to_env(self) -> dict[str, str]:
        """The variables for a dashboard process; paths absolute, so its cwd does not matter."""
        return {
            ENV["data_dir"]: str(self.data_dir.resolve()),
            ENV["users_file"]: str(self.users_file.resolve()),
            ENV["policy"]: str(self.policy.resolve()),
            ENV["proxy"]: self.proxy or "",
            ENV["refresh_s"]: str(self.refresh_s),
            ENV["catalogs"]: os.pathsep.join(str(p.resolve()) for p in self.catalogs),
        }

    @property
    def proxy_address(self) -> tuple[str, int] | None:
        if not self.proxy or ":" not in self.proxy:
            return None
        host, _, port = self.proxy.rpartition(":")
        if not port.isdigit():
            return None
        # The proxy listening on every interface is reached on loopback from here.
        host = host.strip("[]")
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        return host, int(port)
