"""Users file: Apache htpasswd lines with bcrypt hashes, so admins can use `htpasswd -B` too."""

from __future__ import annotations

from pathlib import Path

import bcrypt

from warden.errors import ConfigError
from warden.yamlfile import read_text_file

__all__ = ["UsersFile", "hash_password"]

# bcrypt is deliberately slow (~50 ms at cost 10); a proxy checks each connection once, not
# each request, so the cost is paid per CONNECT. Cost 10 keeps a login storm survivable.
BCRYPT_ROUNDS = 10


def hash_password(password: str) -> str:
    """Return an htpasswd-compatible bcrypt hash ($2b$)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


class UsersFile:
    """Usernames and their bcrypt hashes, read from an htpasswd file.

    Names are matched regardless of case, as a directory matches them: a login as `ALICE`
    is the `alice` of the file, never a second person outside alice's groups. So a file
    cannot hold two names that differ only in case.
    """

    def __init__(self, hashes: dict[str, bytes], path: Path | None = None) -> None:
        self._hashes = hashes
        self.path = path
        self._names = {user.casefold(): user for user in hashes}

    @classmethod
    def load(cls, path: Path) -> UsersFile:
        # The data-file reader: a FIFO or a device in place of the file is refused unread.
        # A plain read_text() waited for a FIFO's writer forever, on the thread every reload
        # runs on, so no later edit of any file was ever applied.
        text = read_text_file(path)
        hashes: dict[str, bytes] = {}
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            user, sep, pwhash = line.partition(":")
            if not sep or not user or not pwhash:
                raise ConfigError(f"{path}:{lineno}: expected 'user:bcrypt-hash'")
            if not pwhash.startswith(("$2y$", "$2b$", "$2a$")):
                raise ConfigError(
                    f"{path}:{lineno}: user {user!r} has a non-bcrypt hash; "
                    "create it with `warden users add` or `htpasswd -B`"
                )
            twin = next((u for u in hashes if u.casefold() == user.casefold()), None)
            if twin is not None:
                raise ConfigError(
                    f"{path}:{lineno}: user {user!r} is already listed as {twin!r}; "
                    "names differing only in case are one user"
                )
            hashes[user] = pwhash.encode("ascii")
        return cls(hashes, path)

    def __contains__(self, user: str) -> bool:
        return user.casefold() in self._names

    def __len__(self) -> int:
        return len(self._hashes)

    def verify(self, user: str, password: str) -> bool:
        return self.login(user, password) is not None

    def login(self, user: str, password: str) -> str | None:
        """The name as the file spells it if the password is right, else None."""
        name = self._names.get(user.casefold())
        if name is None:
            # Spend the same time as a real check so user names cannot be probed by timing.
            bcrypt.checkpw(b"x", _DUMMY_HASH)
            return None
        # htpasswd -B writes $2y$, which the bcrypt module reads as $2b$.
        pwhash = self._hashes[name].replace(b"$2y$", b"$2b$", 1)
        return name if bcrypt.checkpw(password.encode("utf-8"), pwhash) else None

    def with_user(self, user: str, password: str) -> UsersFile:
        # A new password for `Alice` is alice's, under the spelling already in the file.
        hashes = dict(self._hashes)
        hashes[self._names.get(user.casefold(), user)] = hash_password(password).encode("ascii")
        return UsersFile(hashes, self.path)

    def dump(self) -> str:
        return "".join(f"{u}:{h.decode('ascii')}\n" for u, h in sorted(self._hashes.items()))


_DUMMY_HASH = bcrypt.hashpw(b"dummy", bcrypt.gensalt(BCRYPT_ROUNDS))
