"""Private keys: the whole PEM block (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP), and
PuTTY key files.

The block is reported from BEGIN to END so that redaction removes all of it. A block pasted
without its END line (truncated) is reported up to its last base64 line. Line breaks may be
real or written as \\n, as in .env files and JSON.
"""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["PrivateKeyRecognizer"]

_LABEL = r"[A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?"
_BREAK = r"(?:\s|\\r|\\n)+"


class PrivateKeyRecognizer(WardenRecognizer):
    ENTITY = "PRIVATE_KEY"
    PREFIXES = ("-----begin", "putty-user-key-file-")
    MAX_LENGTH = 24_000
    JOIN_LINES = False  # a PEM block spans lines by nature
    PATTERNS = (
        Pattern(
            "pem_private_key",
            rf"-----BEGIN {_LABEL}-----[\s\S]{{16,20000}}?-----END {_LABEL}-----",
            1.0,
        ),
        Pattern(
            "pem_private_key_truncated",
            rf"-----BEGIN {_LABEL}-----"
            rf"(?:{_BREAK}(?:[A-Za-z-]+: [^\r\n\\]*|[A-Za-z0-9+/=]{{16,}}))+",
            0.95,
        ),
        Pattern(
            "putty_private_key",
            r"PuTTY-User-Key-File-\d: [\s\S]{16,20000}?Private-MAC: [0-9a-f]{40,64}",
            1.0,
        ),
    )
