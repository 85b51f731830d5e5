"""Where the shared state store is and how to log in to it, read from `--state` and friends.

A `redis://` or `rediss://` URL names the server; the password may sit in the URL, but an
environment variable (WARDEN_STATE_PASSWORD) or a file only its owner can read keeps it out
of process listings and shell history. Every message about the store names it through
`redacted()`, which never contains the password.
"""

from __future__ import annotations

import os
import stat
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from warden.errors import ConfigError

__all__ = ["PASSWORD_ENV", "RedisSettings", "redact_url"]

PASSWORD_ENV = "WARDEN_STATE_PASSWORD"
SCHEMES = ("redis", "rediss")

# A dead or unreachable server must cost a request half a second, not the OS's minutes.
CONNECT_TIMEOUT_S = 0.5
OPERATION_TIMEOUT_S = 0.5


HIDDEN = "<the --state URL, not shown: it may hold a password>"


def redact_url(url: str) -> str:
    """The URL as scheme://[user:***@]host:port/db: safe for logs, errors and /healthz.

    Built from its parts rather than by masking one: a password may also sit in the query
    (?password=...), and an unencoded `/` or `#` in a password cuts the URL before the `@`,
    so that no part parses as a password at all. Such a URL is not shown."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = _port(parts)
    except ValueError:
        return HIDDEN
    if "@" in url and "@" not in parts.netloc:
        return HIDDEN
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.password is not None:
        login = f"{user}:***@"
    else:
        login = f"{user}@" if "@" in parts.netloc else ""
    shown = f"{parts.scheme}://{login}{host}{f':{port}' if port is not None else ''}{parts.path}"
    return shown + ("?***" if parts.query or parts.fragment else "")


def _port(parts: urllib.parse.SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


@dataclass(frozen=True)
class RedisSettings:
    url: str = field(repr=False)  # as given; may hold a password: log redacted() instead
    namespace: str = "default"
    ca_file: Path | None = None
    password: str | None = field(default=None, repr=False)

    def redacted(self) -> str:
        return redact_url(self.url)

    @property
    def tls(self) -> bool:
        return urllib.parse.urlsplit(self.url).scheme == "rediss"

    @classmethod
    def parse(
        cls,
        url: str,
        *,
        ca_file: Path | None = None,
        password_file: Path | None = None,
        namespace: str = "default",
        environ: dict[str, str] | None = None,
    ) -> RedisSettings:
        """Check what was given; raise ConfigError with a message safe to print."""
        shown = redact_url(url)
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError:
            raise ConfigError(f"--state {shown}: not a valid URL") from None
        if parts.query or parts.fragment:
            # redis-py reads options from the query, ssl_cert_reqs=none and password among
            # them: TLS checks switched off, or a password shown wherever the URL is.
            raise ConfigError(
                f"--state {shown}: options in the URL (?...) are not accepted; give the CA "
                "with --state-ca and the password with --state-password-file or "
                f"{PASSWORD_ENV}"
            )
        if parts.scheme not in SCHEMES:
            raise ConfigError(
                f"--state {shown}: use redis://HOST:PORT/DB or rediss://HOST:PORT/DB (TLS)"
            )
        if not parts.hostname:
            raise ConfigError(f"--state {shown}: the URL names no host")
        if port is None and parts.netloc.endswith(":"):
            raise ConfigError(f"--state {shown}: the URL's port is empty")
        db = parts.path.strip("/") or "0"
        if not db.isdigit():
            raise ConfigError(f"--state {shown}: the database must be a number, not {db!r}")
        if ca_file is not None:
            if parts.scheme != "rediss":
                raise ConfigError("--state-ca needs a rediss:// URL (TLS)")
            if not ca_file.is_file():
                raise ConfigError(f"--state-ca {ca_file}: no such file")
        if not namespace or not all(c.isalnum() or c in "-_." for c in namespace):
            raise ConfigError(
                f"state namespace {namespace!r}: use letters, digits, '-', '_' or '.'"
            )
        env = os.environ if environ is None else environ
        password = None
        if password_file is not None:
            password = _read_password_file(password_file)
        elif env.get(PASSWORD_ENV):
            password = env[PASSWORD_ENV]
        return cls(url, namespace, ca_file, password)

    def client_kwargs(self) -> dict[str, object]:
        """Keyword arguments for redis.Redis.from_url beside the URL itself."""
        kwargs: dict[str, object] = {
            "socket_connect_timeout": CONNECT_TIMEOUT_S,
            "socket_timeout": OPERATION_TIMEOUT_S,
            # Retrying inside the client would multiply the timeout per request; the
            # store's own breaker decides when to try again.
            "retry_on_timeout": False,
            "health_check_interval": 0,
        }
        if self.password is not None:
            kwargs["password"] = self.password  # wins over one in the URL
        if self.ca_file is not None:
            kwargs["ssl_ca_certs"] = str(self.ca_file)
        return kwargs


def _read_password_file(path: Path) -> str:
    try:
        info = path.stat()
    except OSError as e:
        raise ConfigError(f"--state-password-file {path}: {e.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"--state-password-file {path}: not a regular file")
    if info.st_mode & 0o077:
        raise ConfigError(
            f"--state-password-file {path}: readable by others (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); make it 0600 (chmod 600 {path})"
        )
    password = path.read_text(encoding="utf-8").strip()
    if not password:
        raise ConfigError(f"--state-password-file {path}: the file is empty")
    return password
