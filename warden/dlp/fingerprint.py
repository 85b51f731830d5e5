"""How a finding refers to a value without holding it: a salted hash and a masked preview.

The hash is HMAC-SHA256 keyed with a per-deployment salt, truncated to 128 bits (32 hex
characters). The same value gives the same hash within one deployment, so analysts can see
that one key leaked ten times or that two users pasted the same customer's card, and a leaked
event log cannot be brute-forced for short values (phone numbers, SSNs) without the salt.

The salt comes from, in order: the environment variable WARDEN_DLP_SALT (any string; several
proxy instances behind a load balancer must share it), or the file `dlp-salt` in the data
directory (32 random bytes, created with mode 0600 on first use). Without either (a one-off
`warden dlp scan` outside a deployment), a random salt lives for the process only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from warden.secret_file import shared_secret

__all__ = ["SALT_ENV", "SALT_FILE", "Fingerprinter", "load_salt", "preview"]

SALT_ENV = "WARDEN_DLP_SALT"
SALT_FILE = "dlp-salt"


def load_salt(data_dir: Path | None) -> bytes:
    from_env = os.environ.get(SALT_ENV)
    if from_env:
        return from_env.encode("utf-8")
    if data_dir is None:
        return secrets.token_bytes(32)
    return shared_secret(data_dir, SALT_FILE)


class Fingerprinter:
    __slots__ = ("_salt",)

    def __init__(self, salt: bytes) -> None:
        self._salt = salt

    def __repr__(self) -> str:
        return "<Fingerprinter>"  # never the salt

    def hash(self, value: str) -> str:
        data = value.encode("utf-8", "surrogatepass")
        return hmac.new(self._salt, data, hashlib.sha256).hexdigest()[:32]


def preview(value: str) -> str:
    """A masked preview: a few characters from each end, fewer for short values.

    At most 5 leading and 3 trailing characters ("sk-pr...9aB"), and never more than about a
    third of the value: 20 characters show 4 + 2, 10 show 2 + 1, under 5 only asterisks.
    """
    flat = "".join(c if c.isprintable() and not c.isspace() else " " for c in value.strip())
    n = len(flat)
    head, tail = min(5, n // 5), min(3, n // 8)
    if head == 0:
        return "*" * min(n, 3) or "*"
    return f"{flat[:head]}...{flat[n - tail :] if tail else ''}"
