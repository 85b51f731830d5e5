"""Passwords in URLs (scheme://user:password@host) and in connection strings
(Server=...;User Id=...;Password=...; and ?user=...&password=... query strings).

The finding covers the password only, so the rest of the URL stays readable after redaction.
Placeholders (password, ****, <password>, ${DB_PASSWORD}, %s) are not reported.
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = [
    "ConnectionStringPasswordRecognizer",
    "QueryStringPasswordRecognizer",
    "UrlCredentialsRecognizer",
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
