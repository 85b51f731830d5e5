"""ensure_ca: Warden's interception CA is created once in certs/, where mitmproxy looks for
it, kept across restarts, and its private key is readable by the owner only."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from addons.certs import ca_cert_path, ca_key_path, ensure_ca


def test_the_first_start_creates_a_ca_named_for_warden(tmp_path: Path) -> None:
    assert ensure_ca(tmp_path) is True
    cert = x509.load_pem_x509_certificate(ca_cert_path(tmp_path).read_bytes())
    [cn] = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    [org] = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert (cn.value, org.value) == ("Egress Warden CA", "Egress Warden")
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_a_restart_keeps_the_ca_devices_already_trust(tmp_path: Path) -> None:
    ensure_ca(tmp_path)
    before = ca_cert_path(tmp_path).read_bytes(), ca_key_path(tmp_path).read_bytes()
    assert ensure_ca(tmp_path) is False
    assert (ca_cert_path(tmp_path).read_bytes(), ca_key_path(tmp_path).read_bytes()) == before


def test_a_ca_key_copied_in_readable_by_others_is_made_private(tmp_path: Path) -> None:
    ensure_ca(tmp_path)
    key = ca_key_path(tmp_path)
    os.chmod(key, 0o644)  # copied in by hand with a permissive umask
    ensure_ca(tmp_path)
    assert key.stat().st_mode & 0o777 == 0o600
    assert ca_cert_path(tmp_path).stat().st_mode & 0o077  # the certificate stays shareable
