"""Credentials given on a command line: -p and --password/--token/--api-key values, and
curl's -u user:password.

mysql -u app -pS3cr3t-Pa55, docker login -u bot -p 'Xy9-kQ2.vB7!', mongosh --password Xy9...,
curl -u admin:Hunter2-Prod, redis-cli -a Xy9..., sqlplus app/Xy9...@db. The finding covers
the value only, so the command still reads.

-p is also a port (ssh -p 2222, docker run -p 8080:80), a path (mkdir -p src/app) or a plugin
(pytest -p no:cacheprovider), and -u a uid:gid (docker run -u 1000:1000): the value must look
like a password (8 characters of three kinds, see entropy.py), and an unquoted value holding a
path separator, or one that is the next flag, is not one. --password-file /path and
--token-type bearer name something else than the secret and are not matched at all.
"""

from __future__ import annotations

import re

from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.entropy import looks_like_password

__all__ = ["CommandLineSecretRecognizer"]

# A flag starts an argument: after whitespace, a quote or the start of the text.
_FLAG_START = r"(?<![^\s\"'`])"
# Quoted values run to the closing quote; unquoted ones to the next whitespace.
_ARGUMENT = r"(?P<value>\"[^\"\r\n]{1,256}\"|'[^'\r\n]{1,256}'|[^\s\"'`]{1,256})"
_SECRET_FLAG_WORD = (
    r"(?i:password|passwd|pass|pwd|passphrase|token|secret|api[-_]?key|access[-_]key"
    r"|credentials?)"
)
_PATH = re.compile(r"[/\\]|^~|^[A-Za-z]:")


class CommandLineSecretRecognizer(WardenRecognizer):
    ENTITY = "GENERIC_SECRET"
    # The scanner takes the longest literal at a position and moves past it, so "-p" alone
    # would hide "password", "pwd" or "pypi-" right after a dash from the other recognizers:
    # "-password" must be a literal of its own, which dispatches to both (see scanner.py).
    PREFIXES = (
        "--", "-p", "-u", "redis-cli", "sqlplus", "expdp", "impdp", "sqlcmd", "bcp", "osql",
        "mysql", "mariadb", "-pass", "-passw", "-passwd", "-password", "-passphrase", "-pw", "-pwd",
        "-pypi-", "-passwort",
        "-putty-user-key-file-", "-prof",
    )  # fmt: skip
    ANCHORED = True
    MAX_LENGTH = 320
    JOIN_LINES = False
    PATTERNS = (
        # --password X, --password=X, --client-secret 'X', --api-key=X
        Pattern(
            "long_flag_secret",
            rf"{_FLAG_START}--(?:[A-Za-z0-9]{{1,20}}[-_]){{0,3}}{_SECRET_FLAG_WORD}"
            rf"(?:=|\s{{1,3}}){_ARGUMENT}",
            0.7,
        ),
        # -pX (mysql: no space), -p X, -p 'X'; -print, -pthread, -pwd=X are other flags
        Pattern(
            "short_flag_password",
            rf"{_FLAG_START}-p(?:\s{{1,3}}|(?![a-z]{{4}}|[a-z]{{1,3}}[=:])){_ARGUMENT}",
            0.7,
        ),
        # -u user:password (curl, wget, httpie)
        Pattern(
            "user_password_flag",
            rf"{_FLAG_START}-u\s{{0,3}}[\"']?[^\s:\"'`]{{1,64}}:(?P<value>[^\s\"'`]{{1,256}})",
            0.7,
        ),
        # redis-cli -h cache -a X: -a is "all" to most other commands, so only after redis-cli
        Pattern(
            "redis_cli_password",
            rf"redis-cli\b[^\r\n|;&]{{0,200}}?(?<!\S)-a\s{{1,3}}{_ARGUMENT}",
            0.7,
        ),
        # sqlcmd -S host -U sa -P "X" (also bcp, osql): -P is a port (scp), a Perl regex
        # (grep) or parallelism (xargs) elsewhere, so only after these commands
        Pattern(
            "sqlcmd_password",
            rf"(?i:sqlcmd|bcp|osql)\b[^\r\n|;&]{{0,200}}?(?<!\S)-P\s{{0,3}}{_ARGUMENT}",
            0.7,
        ),
        # mysql -u app -pmaple12Rocket% (mysqldump, mysqladmin, mariadb): after these commands
        # -p is always the password, whatever letters start it
        Pattern(
            "mysql_password",
            rf"(?i:mysql\w{{0,10}}|mariadb\w{{0,10}})\b[^\r\n|;&]{{0,200}}?(?<!\S)-p{_ARGUMENT}",
            0.7,
        ),
        # sqlplus app/X@db, expdp system/X@orcl: Oracle's user/password connect identifier
        Pattern(
            "oracle_connect_password",
            r"(?i:sqlplus|expdp|impdp)(?:\s{1,3}-[A-Za-z]{1,10}){0,3}\s{1,3}[\w$#]{1,30}/"
            r"(?P<value>[^\s@\"'/]{1,128})(?=@|\s|$)",
            0.7,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        quoted = text[start] in "\"'"
        if quoted:
            start, end = start + 1, end - 1
        value = text[start:end]
        if value.startswith("-") or (not quoted and _PATH.search(value)):
            return None
        return (start, end) if looks_like_password(value, literal=True) else None
