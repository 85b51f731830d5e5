"""A random secret kept in the data directory and shared by every process that uses it.

The DLP fingerprint salt and the coaching form's signing key must be the same in every
Warden process on a machine (workers, a restarted proxy, the dashboard), or a hash would
not match across them and a coaching form signed by one would be refused by another.

Created once, atomically: written to a private temporary file, then linked to its name. A
process that loses the race reads the winner's file, which is complete by then (a process
that opened the name with O_EXCL and wrote afterwards could be read half-written).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["shared_secret"]


def shared_secret(data_dir: Path, name: str, size: int = 32) -> bytes:
    path = data_dir / name
    with contextlib.suppress(FileNotFoundError):
        return _read(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(size)
    temporary = data_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(value.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read(path)  # another process was first: theirs is the one in use
    finally:
        temporary.unlink(missing_ok=True)
    return value


def _read(path: Path) -> bytes:
    value = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if not value:
        raise ValueError(f"{path} is empty; delete it to have a new one made")
    return value
