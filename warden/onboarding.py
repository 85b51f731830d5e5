"""What an admin is told: where the CA is, how devices trust it, how they reach the proxy."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

__all__ = ["ca_instructions", "startup_banner"]


def _fingerprint(cert_path: Path) -> str:
    der = ssl.PEM_cert_to_DER_cert(cert_path.read_text(encoding="ascii"))
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def startup_banner(
    certs_dir: Path, proxy: str, policy: Path | None, identity: Path | None = None
) -> str:
    cert = certs_dir / "mitmproxy-ca-cert.pem"
    # Said either way: proxy login silently missing was how a misplaced start went unnoticed.
    who = identity or "none — every user is anonymous, no proxy login"
    return f"""Egress Warden starting on {proxy}
  policy : {policy or "none (--policy none): nothing is blocked or redacted, only recorded"}
  identity: {who}
  CA     : {cert.resolve()}   (created on first run; `warden ca` shows how devices trust it)
  PAC    : http://{proxy}/proxy.pac   (sends only AI hosts through Warden)
  health : http://{proxy}/healthz     (for load balancers and monitors)
Point a client at it:
  export HTTPS_PROXY=http://{proxy} HTTP_PROXY=http://{proxy}
  export SSL_CERT_FILE={cert.resolve()}   # or install the CA system-wide
  curl https://api.openai.com/v1/models   # decrypted and inspected
  curl https://example.org/               # tunnelled untouched
"""


def ca_instructions(cert: Path, proxy: str, created: bool) -> str:
    state = "created now" if created else "already present"
    cert = cert.resolve()
    key = cert.with_name("mitmproxy-ca.pem")
    return f"""Egress Warden CA certificate ({state})
  certificate : {cert}
  also as     : {cert.with_suffix(".cer")} (DER-compatible name for Android/Windows), \
{cert.with_name("mitmproxy-ca-cert.p12")} (PKCS#12)
  private key : {key}   (mode 0600; never copy it off this host, never commit it)
  SHA-256     : {_fingerprint(cert)}
  download    : http://{proxy}/ca.pem   (served by the running proxy)

Install it as a trusted root on each device:

macOS
  sudo security add-trusted-cert -d -r trustRoot \\
    -k /Library/Keychains/System.keychain {cert}

Windows (PowerShell as administrator)
  Import-Certificate -FilePath {cert.with_suffix(".cer")} `
    -CertStoreLocation Cert:\\LocalMachine\\Root
  (or: certutil -addstore -f Root {cert.with_suffix(".cer")})

Linux (Debian/Ubuntu)
  sudo cp {cert} /usr/local/share/ca-certificates/egress-warden.crt
  sudo update-ca-certificates
Linux (RHEL/Fedora)
  sudo cp {cert} /etc/pki/ca-trust/source/anchors/egress-warden.pem && sudo update-ca-trust
Python, Node and other runtimes with their own bundle
  export SSL_CERT_FILE={cert}  REQUESTS_CA_BUNDLE={cert}  NODE_EXTRA_CA_CERTS={cert}

Firefox (keeps its own store)
  Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import,
  tick "Trust this CA to identify websites"; or by policy: set
  security.enterprise_roots.enabled = true so Firefox trusts the OS store, or ship
  policies.json with {{"policies": {{"Certificates": {{"Install": ["{cert}"]}}}}}}.

MDM distribution
  Jamf / Intune / Workspace ONE: upload {cert.with_suffix(".cer")} as a trusted root
  certificate profile (Intune: "Trusted certificate" profile per platform; Jamf:
  Configuration Profile > Certificate). Google Workspace / ChromeOS: Devices > Networks >
  Certificates, "Use this certificate as an HTTPS certificate authority".
  Pair it with a proxy profile pointing at http://{proxy}/proxy.pac.

Then route traffic through the proxy
  PAC (only AI hosts go through Warden): http://{proxy}/proxy.pac  (`warden pac` prints it)
  or all traffic: HTTPS_PROXY=http://{proxy}
"""
