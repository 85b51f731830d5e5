"""Passwords where no assignment names them: in prose, in a login call, in a .pgpass line.

- Prose: a password word (password, passwd, passphrase, pw, pwd, login), then within six
  words `is`, `was`, `:` or `=`, then the value, possibly after `user /`: "the new SFTP
  password for the vendor drop is Xy7-kQ2!", "admin console login: ops-admin / Xy7-kQ2!",
  "pw: Xy7-kQ2!". The value must look like a password (8 characters of three kinds, not a
  reference or a placeholder: see entropy.py), so "the password is stored in Vault" and
  "login: admin / admin" are not reported.
- A login call's second argument, quoted: server.login("reports@acme.io", "..."), as
  smtplib, ftplib, imaplib and poplib's user/pass methods take it.
- A .pgpass line, host:port:database:user:password (port a number or `*`).
- Prose and labels in other languages: Passwort/Kennwort (German), mot de passe (French),
  contraseña/clave (Spanish), senha (Portuguese), wachtwoord (Dutch), パスワード (Japanese),
  密码/密碼 (Chinese), then `:`, `=` or the language's "is" (lautet, ist, est, es, é, is, は,
  是, 为): "das Passwort für den SFTP-Server lautet Xy7-kQ2!", "サーバーのパスワードは Xy7-kQ2!
  です", "Kennwort: Xy7-kQ2!". The value is judged as in English.
- Short passwords (4 to 7 characters) only where the label leaves no doubt and the value
  ends its line: `password: k7#Qz`, `pw: k7#Qz`, `DB_PASS=k7#Qz`, or "the vault password is
  k7#Qz" at the end of a sentence or before a parenthesis. The value needs a letter and a
  digit or a symbol, and is not a placeholder (`****`, `xxxx`, `<pw>`, `${X}`, `none`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from warden.dlp.placeholders import is_placeholder
from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.entropy import looks_like_password, placeholder_literal

__all__ = [
    "ForeignPasswordRecognizer",
    "LoginCallPasswordRecognizer",
    "PgpassPasswordRecognizer",
    "ProsePasswordRecognizer",
    "ShortPasswordRecognizer",
]

# Punctuation that ends a sentence or a clause rather than a password, judged without it.
_TRAILING = ".,;:!?)"
# A URL or a file path: where a password is, not what it is.
# And code's references: process.env.DB_PASSWORD, settings.SMTP_PASS, self.password (a
# password of dotted words starts with a capital or holds no lower-case first segment).
_NOT_A_VALUE = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://|\.{0,2}/|~/|[A-Za-z]:\\"
    r"|[a-z_$][a-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+(?:\([^\s)]*\)?)?[;,]?$"
)
# What may close a value in prose, and is not part of it.
_CLOSERS = ",;:)"


class ProsePasswordRecognizer(WardenRecognizer):
    ENTITY = "GENERIC_SECRET"
    PREFIXES: ClassVar[tuple[str, ...]] = ("pass", "pw", "login")
    ANCHORED = True
    MAX_LENGTH = 400
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "password_in_prose",
            r"(?<![A-Za-z])(?i:pass(?:word|wd|phrase)?s?|pwd?|log-?in)(?![A-Za-z])"
            # up to six words between: "for the vendor drop", "(new)"
            r"(?:[ \t]{1,3}[\w.@()'-]{1,30}){0,6}?"
            r"[ \t]{0,3}(?::|=|[ \t](?i:is|was))[ \t]{1,3}"
            # "ops-admin / ...": the user, then the password
            r"(?:[\w.@+-]{1,64}[ \t]{0,3}/[ \t]{0,3})?"
            r"(?P<value>[^\s\"'`<>]{8,128})",
            0.7,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        while end > start and text[end - 1] in _CLOSERS:
            end -= 1
        # A sentence's last period is not the password's, unless the password needs it to
        # be one (Qw7rTy2u. at the end of a line). Prose has no code to name settings.X in:
        # Maple.Rocket12 there is the value itself, as on a command line.
        value = text[start:end]
        judged = value.rstrip(_TRAILING)
        if _NOT_A_VALUE.match(judged):
            return None
        if looks_like_password(judged, literal=True):
            return start, end
        digits = any(c.isdigit() for c in value)
        return (start, end) if digits and looks_like_password(value, literal=True) else None


class ForeignPasswordRecognizer(ProsePasswordRecognizer):
    PREFIXES = (
        "passwort", "kennwort", "mot de passe", "contraseña", "clave", "senha", "wachtwoord",
        "パスワード", "密码", "密碼",
    )  # fmt: skip
    PATTERNS = (
        Pattern(
            "password_in_prose_other_languages",
            r"(?:(?i:passwort|kennwort|mot[ \t]de[ \t]passe|contrase[ñn]a|clave|senha|wachtwoord)"
            r"(?![^\W\d_])|パスワード|密[码碼])"
            # up to six words between: "für den SFTP-Server", "de la base"; a full-width colon,
            # and the ideographic and full-width commas and full stop end a value
            r"(?:[ \t]{1,3}[\w.@()'-]{1,30}){0,6}?"
            r"(?:[ \t]{0,3}[:=\uff1a][ \t]{0,3}|[ \t]{0,3}(?:は|是|为|為)[ \t]{0,3}"
            r"|[ \t]{1,3}(?i:lautet|ist|est|es|é|is|era|war|était)[ \t]{1,3}(?::[ \t]{1,3})?)"
            r"(?P<value>[^\s\"'`<>\u3001\u3002\uff0c,]{8,128})",
            0.7,
        ),
    )


_SHORT_FILLER = re.compile(r"(.)\1+|[xX*.#?_-]+|(?i:none|null|nil|n/?a|todo|tbd|same|empty|blank)")


# Letters joined by underscores and nothing else: a variable's name (bind_dn, db_pw).
_IDENTIFIER = re.compile(r"[A-Za-z]+(?:_[A-Za-z]+)+|_[A-Za-z_]+")


class ShortPasswordRecognizer(WardenRecognizer):
    ENTITY = "GENERIC_SECRET"
    PREFIXES = ("pass", "pw")
    ANCHORED = True
    MAX_LENGTH = 40
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "short_password_labelled",
            r"(?i:pass(?:word|wd|phrase)?|pwd?)(?![A-Za-z])[ \t]{0,3}"
            r"(?:[:=][ \t]{0,3}|[ \t](?i:is|was)[ \t]{1,3})"
            r"(?P<value>[^\s\"'`<>(){}\[\]]{4,8})"
            # the end of the line, of a sentence, or a parenthesis
            r"(?=[ \t]*(?:\r?\n|$)|[ \t]+\(|[.,;](?:[ \t]|\r?\n|$))",
            0.7,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        # The label must be a whole word or the end of a name: pw, password, DB_PASS.
        label = text.rfind("\n", 0, start) + 1
        head = re.search(r"(?i:pass(?:word|wd|phrase)?|pwd?)[^\n]*$", text[label:start])
        if head is None:
            return None
        at = label + head.start()
        if at > 0 and text[at - 1].isalpha():
            return None
        while end > start and text[end - 1] in ".,;:":
            end -= 1
        value = text[start:end]
        if not 4 <= len(value) <= 7:
            return None
        letter = any(c.isalpha() for c in value)
        other = any(c.isdigit() for c in value) or any(not c.isalnum() for c in value)
        if not (letter and other) or _SHORT_FILLER.fullmatch(value):
            return None
        if _IDENTIFIER.fullmatch(value):
            return None  # `_bind_password = bind_dn, ...`: code names a variable, not a password
        if is_placeholder(value) or placeholder_literal(value) or _NOT_A_VALUE.match(value):
            return None
        return start, end


class LoginCallPasswordRecognizer(WardenRecognizer):
    ENTITY = "GENERIC_SECRET"
    PREFIXES = (".login(",)
    ANCHORED = True
    MAX_LENGTH = 400
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "login_call_password",
            r"\.login\(\s{0,40}[^,()\r\n]{1,100},\s{0,40}(?P<q>[\"'])"
            r"(?P<value>[^\"'\r\n]{1,256})(?P=q)",
            0.7,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        return (start, end) if looks_like_password(text[start:end], literal=True) else None


# host:port:database:user:password, the whole line; the host has no spaces.
_PGPASS_LINE = re.compile(
    r"[A-Za-z0-9_.\[\]*-]{1,253}:(?:\d{1,5}|\*):[^\s:]{1,64}:[^\s:]{1,64}:[^\s]{1,128}[ \t]*"
)


class PgpassPasswordRecognizer(WardenRecognizer):
    ENTITY = "GENERIC_SECRET"
    # No prefix: a .pgpass line has no fixed word. The pattern starts with a literal colon,
    # which `re` finds fast, and the line is checked whole in refine.
    JOIN_LINES = False
    PATTERNS = (
        Pattern(
            "pgpass_line",
            r":(?:\d{1,5}|\*):[^\s:]{1,64}:[^\s:]{1,64}:(?P<value>[^\s:]{1,128})[ \t]*(?=\r?\n|$)",
            0.7,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end
        if not _PGPASS_LINE.fullmatch(text[line_start:line_end].rstrip("\r")):
            return None
        return (start, end) if looks_like_password(text[start:end], literal=True) else None
