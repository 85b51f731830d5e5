"""Passwords in URLs (scheme://user:password@host), tokens in URLs (scheme://token@host), and
passwords in connection strings (Server=...;User Id=...;Password=...; and
?user=...&password=... query strings). Any scheme, any host.

The finding covers the password only, so the rest of the URL stays readable after redaction.
Placeholders (password, ****, <password>, ${DB_PASSWORD}, %s) are not reported.
"""

from __future__ import annotations

import re
from itertools import pairwise

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.entropy import looks_random

__all__ = [
    "ConnectionStringPasswordRecognizer",
    "QueryStringPasswordRecognizer",
    "UrlCredentialsRecognizer",
    "UrlTokenRecognizer",
]

_PLACEHOLDER = re.compile(
    r"(?i)^(?:pass(?:word|wd)?|pwd|secret|x+|\*+|\.+|<[^>]*>|\[[^\]]*\]|\$\{[^}]*\}|\$\w+"
    r"|\{[^}]*\}|%\(?\w*\)?s|:?[a-z_]*password[a-z_]*|changeme|redacted|user(?:name)?)$"
)


class _PasswordRecognizer(WardenRecognizer):
    ENTITY = "URL_CREDENTIALS"
    JOIN_LINES = False

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return bool(_PLACEHOLDER.match(pattern_text))


class UrlCredentialsRecognizer(_PasswordRecognizer):
    PREFIXES = ("://",)
    BEFORE = 24  # the scheme
    MAX_LENGTH = 420
    PATTERNS = (
        # The password runs to the last "@" before the host, so an unescaped "@", "#" or "?"
        # inside it (people paste passwords without percent-encoding them) is still covered.
        Pattern(
            "url_password",
            r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/?#@\"'<>\[\]]{0,128}:"
            r"(?P<value>[^\s/\"'<>]{1,256})@(?=[A-Za-z0-9.\[-])",
            0.9,
        ),
    )


class UrlTokenRecognizer(_PasswordRecognizer):
    """A token alone before the "@" (https://ghp_...@github.com, https://<api key>@git.heroku.com).

    A user name alone is far more common there (git@, jane.doe@, svc_reporting_2024@), so the
    value must look machine-made: random, and letters and digits mixed all along rather than
    a word with a year on it.
    """

    PREFIXES = ("://",)
    BEFORE = 24  # the scheme
    MAX_LENGTH = 300
    PATTERNS = (
        Pattern(
            "url_token",
            r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://"
            r"(?P<value>[A-Za-z0-9._~-]{16,256})@(?=[A-Za-z0-9.\[-])",
            0.85,
        ),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        return not _looks_like_token(pattern_text)


def _looks_like_token(value: str) -> bool:
    # Letters-only tokens (hf_...) have their own recognizers; here they would be CamelCase
    # user names as often as not.
    if not looks_random(value):
        return False
    switches = sum(
        a.isalpha() != b.isalpha() for a, b in pairwise(value) if a.isalnum() and b.isalnum()
    )
    return switches >= 4


_CONNECTION_KEYS = re.compile(
    r"(?i)(?:^|[;\"'\s])(?:server|data source|host|hostname|address|addr|initial catalog"
    r"|database|user id|uid|username|user)\s*="
)


class ConnectionStringPasswordRecognizer(_PasswordRecognizer):
    """Password=...; inside a connection string: another Key=value; pair on the same line."""

    PREFIXES = ("password", "pwd", "passwd")
    ANCHORED = True
    MAX_LENGTH = 150
    PATTERNS = (
        Pattern(
            "connection_string_password",
            r"(?<![\w])(?i:password|pwd|passwd)\s*=\s*(?P<value>[^;\r\n\"']{1,128})"
            r"(?=;|[\"'\r\n]|$)",
            0.85,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        line_start = text.rfind("\n", max(0, start - 600), start) + 1
        line_end = text.find("\n", end, end + 600)
        line = text[line_start : line_end if line_end >= 0 else end + 600]
        return (start, end) if ";" in line and _CONNECTION_KEYS.search(line) else None


class QueryStringPasswordRecognizer(_PasswordRecognizer):
    """?user=app&password=... in a URL or a JDBC string."""

    PREFIXES = ("password", "pwd", "passwd")
    ANCHORED = True
    MAX_LENGTH = 150
    PATTERNS = (
        Pattern(
            "query_string_password",
            r"(?<=[?&])(?i:password|pwd|passwd)=(?P<value>[^&\s\"'#<>]{1,128})",
            0.85,
        ),
    )
