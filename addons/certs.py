"""Create Warden's interception CA in certs/ the way mitmproxy expects to find it there."""

from __future__ import annotations

import os
from pathlib import Path

from mitmproxy.certs import CertStore
from mitmproxy.options import CONF_BASENAME

__all__ = ["ca_cert_path", "ca_key_path", "ensure_ca"]

KEY_SIZE = 2048


def ca_key_path(certs_dir: Path) -> Path:
    return certs_dir / f"{CONF_BASENAME}-ca.pem"


def ca_cert_path(certs_dir: Path) -> Path:
    return certs_dir / f"{CONF_BASENAME}-ca-cert.pem"


def ensure_ca(certs_dir: Path) -> bool:
    """Create the CA unless it exists; True if it was created now."""
    created = False
    if not ca_key_path(certs_dir).exists():
        CertStore.create_store(
            certs_dir, CONF_BASENAME, KEY_SIZE, organization="Egress Warden", cn="Egress Warden CA"
        )
        created = True
    # mitmproxy writes keys under a 077 umask; enforce it anyway for CAs copied in by hand.
    for secret in (ca_key_path(certs_dir), certs_dir / f"{CONF_BASENAME}-ca.p12"):
        if secret.exists() and secret.stat().st_mode & 0o077:
            os.chmod(secret, 0o600)
    return created
