"""The dashboard users file: names, roles and bcrypt password hashes, in YAML a person can read.

    # policies/dashboard-users.yaml
    users:
      alice: {role: admin, password: "$2b$10$..."}
      bob: {role: viewer, password: "$2y$10$..."}      # htpasswd -B hashes work too

Created and changed with `warden dashboard users add NAME --role ROLE`; separate from the
proxy's users.htpasswd on purpose: signing in to the dashboard and being allowed through the
proxy are different permissions.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import bcrypt
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from dashboard.auth.roles import Role
from warden.identity.users_file import hash_password
from warden.yamlfile import load_yaml_model

__all__ = ["DashboardUser", "DashboardUsers", "valid_name"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
_HEADER = (
    "# Egress Warden dashboard users: role (admin, analyst, viewer) and a bcrypt password hash.\n"
    "# Change with `warden dashboard users add NAME --role ROLE`; never store plain passwords.\n"
)


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


class DashboardUser(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    password: str = Field(description="bcrypt hash ($2b$, $2y$ or $2a$)")

    @field_validator("password")
    @classmethod
    def _bcrypt(cls, value: str) -> str:
        if not value.startswith(("$2b$", "$2y$", "$2a$")):
            raise ValueError("not a bcrypt hash; set passwords with `warden dashboard users add`")
        return value


class DashboardUsers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    users: dict[str, DashboardUser] = Field(default_factory=dict)

    @field_validator("users")
    @classmethod
    def _names(cls, value: dict[str, DashboardUser]) -> dict[str, DashboardUser]:
        for name in value:
            if not valid_name(str(name)):
                raise ValueError(f"user name {name!r}: letters, digits and . _ @ + - only")
        return value

    @classmethod
    def load(cls, path: Path) -> DashboardUsers:
        """ConfigError with file:line:column if the file is malformed, empty or repeats a key."""
        # Written by `warden dashboard users` without a version since the first release;
        # requiring one now would lock every existing site out of its dashboard.
        return load_yaml_model(path, cls, require_version=False)

    def verify(self, name: str, password: str) -> Role | None:
        """The user's role if the password is right; None otherwise, in constant-ish time."""
        user = self.users.get(name)
        if user is None:
            # Pay for a real check anyway, so that names cannot be probed by timing.
            bcrypt.checkpw(b"x", _DUMMY_HASH)
            return None
        stored = user.password.encode("ascii").replace(b"$2y$", b"$2b$", 1)
        return user.role if bcrypt.checkpw(password.encode("utf-8"), stored) else None

    def role_of(self, name: str) -> Role | None:
        user = self.users.get(name)
        return user.role if user else None

    def with_user(self, name: str, role: Role, password: str) -> DashboardUsers:
        if not valid_name(name):
            raise ValueError(f"user name {name!r}: letters, digits and . _ @ + - only")
        users = dict(self.users)
        users[name] = DashboardUser(role=role, password=hash_password(password))
        return DashboardUsers(users=users)

    def without_user(self, name: str) -> DashboardUsers:
        return DashboardUsers(users={n: u for n, u in self.users.items() if n != name})

    def dump(self) -> str:
        data = {
            "users": {
                name: {"role": user.role.value, "password": user.password}
                for name, user in sorted(self.users.items())
            }
        }
        return _HEADER + yaml.safe_dump(data, sort_keys=False, default_flow_style=False)

    def save(self, path: Path) -> None:
        """Write atomically with mode 0600: the hashes are not for everyone to read."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.dump())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


_DUMMY_HASH = bcrypt.hashpw(b"dummy", bcrypt.gensalt(10))
