"""Secrets without a known format: high-entropy values next to words like key, token, secret,
password, credential, authorization or bearer ("auth_token" and "authToken" count through
"token"; "auth" alone would fire on every "author" and "oauth").
Where the name the value is assigned to names a secret (DB_PASSWORD=, spring.datasource.password=,
--token=, <password>, <add key="PartnerApiKey" value="...">), a shorter value with three kinds
of characters is enough, as for passwords; a quoted value runs to its closing quote.

Also home of the randomness measures other recognizers use to tell a key from a slug.
What is not reported, on purpose: placeholders (xxx, ***, <token>, ${TOKEN}, changeme,
your_api_key), references to where a secret lives (os.environ["X"], settings.API_KEY,
get_token()), URLs, and UUIDs (an idempotency_key or a session key is far more often a UUID
than a credential; the rare credential that is a UUID is missed), and identifiers that are
public by design when their name says so: a service account's private_key_id, a key_id or kid
naming which key signed something, an OAuth client_id. They grant nothing; the key itself, next
to them, is what is found. Likewise a value named public (WireGuard's `PublicKey =`), a
Stripe publishable key (pk_live_, pk_test_), a masked key (sk-...abcd, xoxb-****-****-abcd)
and three dotted base64url parts that are no JWT (a cache key, a {"page": 2} cursor).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import string
from collections import Counter

from warden.dlp.placeholders import is_name, is_placeholder
from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = [
    "GenericSecretRecognizer",
    "looks_like_password",
    "looks_random",
    "names_secret",
    "placeholder_literal",
    "public_or_masked",
    "shannon_entropy",
]


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def looks_random(value: str, min_length: int = 16) -> bool:
    """A machine-made token rather than words: long, varied and with digits or symbols."""
    if len(value) < min_length or _classes(value) < 2:
        return False
    entropy = shannon_entropy(value)
    has_digit = any(c.isdigit() for c in value)
    if has_digit or _classes(value) >= 3:
        return entropy >= (3.0 if len(value) < 24 else 3.3)
    # Letters only: CamelCaseWordsLikeThis stay under 4 bits, random letters do not.
    return len(value) >= 24 and entropy >= 4.0


# What a value next to "key" or "token" is when it is not a secret. One pattern, because it
# is tried at every such word in the text.
_PLACEHOLDER_FORMS = (
    r"(?:\*{3,}|\.{3,}|<[^>]*>|\[[^\]]*\]|\$\{\{[^}]*\}\}|\$\{[^}]*\}|\{\{[^}]*\}\}|\{[^}]*\}"
    r"|%\(?\w*\)?s|\$[A-Z_][A-Z0-9_]*|password\d*|secret\d*"
    r"|null|none|nil|undefined|true|false|todo|fixme)$"
)
# A literal (a command-line argument) is never a reference, but it can be a placeholder.
_PLACEHOLDER_VALUE = re.compile(rf"(?i:{_PLACEHOLDER_FORMS})")
_NOT_A_SECRET = re.compile(
    r"(?i:"
    # placeholders
    + _PLACEHOLDER_FORMS
    # references to where the secret lives
    + r"|(?:os\.environ|os\.getenv|process\.env|env|getenv|config|conf|settings|self|this"
    r"|request|req|args|kwargs|params|options|opts|props|secrets|vault|context|ctx)\b"
    # UUIDs
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    # a file it is kept in (password_file: ./secrets/db-Password.txt), Maven's filtered
    # @project.apiKey@, a C++/Rust/PHP path (AppConfig::Default.Token)
    r"|(?:\.{1,2}/|~/|/)[^\s]*$"
    r"|@[\w.-]+@$"
    r"|[a-z_]\w*(?:::[a-z_]\w*)+(?:\.[a-z_]\w*)*;?$"
    r")"
)
# Placeholders that start with a word: xxx_token, your_api_key, example-key, test_secret_1.
# What follows the word must be words or filler too: "your_" or "xxx" before a random value
# does not make the value any less of a secret.
_PLACEHOLDER_LEAD = re.compile(
    r"(?i:x{3,}|(?:your|my|the|some|a|an)[-_]|change_?me|example|dummy|test|sample"
    r"|placeholder|redacted|replace|insert)"
)
_PASSWORD_WORDS = ("passw", "pwd", "passphrase")
# A quoted value runs to its closing quote on the same line, spaces and all.
_MAX_QUOTED = 256
# Pa55w0rd has 2.75 bits per character; a prefix and a run of zeros far less.
_MIN_PASSWORD_ENTROPY = 2.5

# The name a value is assigned to: "private_key_id": "...", keyId = ..., KID: ... The name
# must open its assignment: at the start of a line or after `{` or `,` (JSON), so that
# `password: "key_id: <value>"` is not read as a key_id.
_NAME_BEFORE = re.compile(
    r"(?:^|[{,])[\s\\\"']*([A-Za-z0-9_.-]+)[\\\"']*(?:[ \t]{0,40}|\s{0,3})(?:[:=]|=>|:=)\s{0,3}"
    r"[\\\"'`]*\s?$"
)
# Documented public identifiers, the whole name with case and separators dropped. An exact
# list, not a pattern: secrets_key_id, api_token_key_id or password.key_id stay secrets.
_PUBLIC_IDS = frozenset({"privatekeyid", "keyid", "kid", "signingkeyid", "clientid"})
# The name a value is assigned to, read loosely: it only ever makes a value more likely a
# secret (DB_PASSWORD=..., "token": ..., password is ...).
_ASSIGNED_BEFORE = re.compile(
    r"([A-Za-z0-9_.-]+)(?:[\"']?(?:[ \t]{0,40}|\s{0,3})(?:[:=]|=>|:=|\s(?:is|was)\s)"
    r"|[\"']\s{0,3},)\s{0,3}[\"'`]?\s?$"
)
# A Kubernetes env entry: `- name: DB_PASSWORD` and, on the next line, `value: "..."`.
_ENV_ENTRY_BEFORE = re.compile(
    r"name:[ \t]*[\"']?([A-Za-z0-9_.-]+)[\"']?[ \t]*\r?\n[ \t]*value:[ \t]*[\"']?$"
)
# Values that are identifiers by their form, whatever they are assigned to: a URL
# (token_uri: https://oauth2.googleapis.com/token; credentials inside a URL are reported by
# url_credentials.py) and an AWS ARN (KeyArn: arn:aws:kms:...:key/...).
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,20}://|arn:aws[a-z-]*:")
# Other places a name sits before its value: <dbPassword>..., <add key="ApiKey" value="...",
# --token ... on a command line.
_ELEMENT_BEFORE = re.compile(r"<([A-Za-z_][\w.:-]{0,40})>$")
_ATTRIBUTE_BEFORE = re.compile(
    r"(?i:key|name)\s{0,3}=\s{0,3}[\"']([\w.:-]{1,48})[\"']\s{1,3}(?i:value)\s{0,3}=\s{0,3}[\"']$"
)
_FLAG_BEFORE = re.compile(r"(?<!\S)--?([A-Za-z][\w-]{0,40})(?:=|\s{1,3})[\"']?$")
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
# Words of a name that names a secret: DB_PASS, ApiKey, access_key, apikey, client_secret.
_SECRET_NAME_WORDS = frozenset(
    {"secret", "password", "passwd", "pwd", "passphrase", "token", "credential", "credentials"}
    | {"pass", "apikey", "accesskey"}
    # other languages' password words (a column or a field named so)
    | {"passwort", "kennwort", "wachtwoord", "senha", "contrasena", "motdepasse"}
)
_SECRET_ENDINGS = (("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"))


# Names, possibly dotted: settings.API_KEY, some_module.SomeClass, application/json...
_NAME = re.compile(
    r"(?i:[a-z_$][a-z_$]*(?:[.:/-][a-z_$][a-z0-9_$]*)*$"
    r"|[a-z_$][a-z0-9_$]*(?:\.[a-z_$][a-z0-9_$]*)+$)"
)
_CHAR_KIND = str.maketrans(
    string.ascii_uppercase + string.ascii_lowercase + string.digits,
    "u" * 26 + "l" * 26 + "d" * 10,
)


def _kind_switches(value: str) -> int:
    """How often a name switches between lower case, upper case and digits, not counting a
    capital that starts a word: settings.API_KEY 0, ThisIsMyCamelCaseName 0, oauth2Client 2,
    but the password y.Y8opPci4-V6g 5."""
    kinds = value.translate(_CHAR_KIND) + " "
    switches = 0
    for i in range(1, len(kinds) - 1):
        a, b = kinds[i - 1], kinds[i]
        if a == b or a not in "uld" or b not in "uld":
            continue
        if a == "u" and b == "l" and (i < 2 or kinds[i - 2] != "u"):
            continue  # "Some": the lower case after a word's capital
        if a == "l" and b == "u" and kinds[i + 1] == "l":
            continue  # "someClass": a new word starts
        switches += 1
    return switches


def _is_name(value: str) -> bool:
    """A name of where the secret lives. Dots and dashes alone do not make one: names switch
    case or to digits once per word at most, a password made of random characters (which
    `-` and `.` may join) far more often."""
    return bool(_NAME.match(value)) and _kind_switches(value) * 6 <= len(value)


# A line of a configuration file: YAML's `  password: `, .env's `DB_PASSWORD=`, a properties
# file's `spring.datasource.password=`. There is no expression language there to name
# settings.X with (references are ${X}, which stay placeholders), so an unquoted value that
# reads like a dotted name (My.Secret.Name, Correct-Horse-Battery) is the value itself.
_CONFIG_LINE_PREFIX = re.compile(
    r"[ \t]*(?:-[ \t]+)?"
    r"(?:[A-Za-z0-9_.-]+[ \t]*:[ \t]*|[A-Z][A-Z0-9_]*=|[a-z0-9_-]+(?:\.[a-z0-9_-]+)+=)"
)
_CONFIG_LINE_REST = re.compile(r"[ \t]*(?:#.*)?$", re.MULTILINE)


def _in_config_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return bool(
        _CONFIG_LINE_PREFIX.fullmatch(text, line_start, start)
        and _CONFIG_LINE_REST.match(text, end)
    )


def _is_reference(value: str, *, config_line: bool = False) -> bool:
    return bool(
        _NOT_A_SECRET.match(value)
        # One CamelCase word is a name anywhere; dotted or dashed words in a configuration
        # file are a value (see _CONFIG_LINE_PREFIX).
        or (_is_name(value) and not (config_line and any(c in value for c in ".-:/")))
        or _is_worded_placeholder(value)
        or "://" in value
        or "EXAMPLE" in value  # AWS's documentation keys, see aws.py
    )


def looks_like_password(value: str, *, literal: bool = False) -> bool:
    """A value that can be a password where its name says it is one: 8 characters, 3 kinds,
    not mostly one character (sk-proj-000...000 is filler).

    A `literal` value (a command-line argument) is not read as a reference such as
    settings.API_KEY: there, Ab3.cD.eF9 is the password itself.
    """
    if len(value) < 8 or _classes(value) < 3 or _is_prose(value):
        return False
    if shannon_entropy(value) < _MIN_PASSWORD_ENTROPY:
        return False
    if literal:
        return not (_PLACEHOLDER_VALUE.match(value) or _is_worded_placeholder(value))
    return not _is_reference(value)


# Words of a message about a value ("Must be at least 8 characters", "Enter your password
# here"), which a passphrase made of words ("Autumn Leaves 2023!") does not need.
_MESSAGE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "be",
        "is",
        "are",
        "was",
        "at",
        "least",
        "most",
        "must",
        "should",
        "shall",
        "will",
        "can",
        "with",
        "without",
        "of",
        "for",
        "to",
        "and",
        "or",
        "not",
        "no",
        "your",
        "you",
        "our",
        "this",
        "that",
        "it",
        "in",
        "on",
        "by",
        "from",
        "enter",
        "here",
        "please",
        "use",
        "set",
        "required",
        "invalid",
        "characters",
        "character",
        "digit",
        "digits",
        "letter",
        "letters",
        "minimum",
        "maximum",
        "length",
        "long",
        "chars",
        "including",
        "symbols",
        "numbers",
        "uppercase",
        "lowercase",
    ]  # a sentence reads better than 47 quoted words
)


def _is_prose(value: str) -> bool:
    # "password": "Must be at least 8 characters." is a message about a password, not one.
    # "Maple rocket harbor violet 42." is a passphrase: words and a number, none of a
    # message's words.
    words = value.split()
    if sum(word.isalpha() for word in words) < 2:
        return False
    if any(w.strip(".,:;!?()").lower() in _MESSAGE_WORDS for w in words):
        return True
    return len(words) >= 5 and not any(c.isdigit() for c in value)


def _assigned_name(before: str) -> str | None:
    """The name the value after `before` is assigned to, in any of the forms people paste."""
    for form in (
        _ATTRIBUTE_BEFORE,
        _ELEMENT_BEFORE,
        _ENV_ENTRY_BEFORE,
        _ASSIGNED_BEFORE,
        _FLAG_BEFORE,
    ):
        found = form.search(before)
        if found is not None:
            return found.group(1)
    return None


def _names_secret(name: str) -> bool:
    words = tuple(w.lower() for w in _NAME_WORDS.findall(name))
    return bool(_SECRET_NAME_WORDS.intersection(words)) or words[-2:] in _SECRET_ENDINGS


def names_secret(name: str) -> bool:
    """Whether a name (DB_PASSWORD, apiKey, client_secret) names a secret."""
    return bool(name) and _names_secret(name)


def placeholder_literal(value: str) -> bool:
    """A literal that stands for a value: ***, <redacted>, ${X}, null, your_api_key."""
    return bool(_PLACEHOLDER_VALUE.match(value)) or _is_worded_placeholder(value)


def _is_worded_placeholder(value: str) -> bool:
    lead = _PLACEHOLDER_LEAD.match(value)
    if lead is None:
        return False
    rest = value[lead.end() :].strip("-_.")
    return not rest or is_name(rest) or is_placeholder(rest) or not looks_random(rest, 12)


# Keys shown masked: sk-...abcd, sk_live_…wxyz, xoxb-****-****-abcd.
_MASKED = re.compile(r"\.{3}|\u2026|\*{3}")
# Public by design: Stripe's publishable keys (they go in the browser).
_PUBLIC_PREFIX = re.compile(r"pk_(?:live|test)_")
_DOTTED_THREE = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def public_or_masked(value: str) -> bool:
    """A Stripe publishable key or a key shown masked (sk-...abcd): no secret to report."""
    return bool(_MASKED.search(value) or _PUBLIC_PREFIX.match(value))


def _jwt_shaped_non_jwt(value: str, *, secret_name: bool) -> bool:
    """Three dotted base64url parts that are not a JWT: a JWT's first part is JSON with `alg`.
    A first part of JSON without `alg` is a cursor ({"page": 2}); one that is no JSON at all is
    a cache key or the like, unless the name says it is a secret (session_token: a.b.c)."""
    if not _DOTTED_THREE.fullmatch(value):
        return False
    head = value.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (binascii.Error, ValueError):
        return not secret_name
    return not (isinstance(decoded, dict) and "alg" in decoded)


def _names_public_identifier(text: str, start: int, limit: int = 256) -> bool:
    """Whether the value at `start` is assigned to a documented public identifier. Read from
    the start of its line, never from a cut mid-line, where any name could seem to begin."""
    low = max(0, start - limit)
    newline = text.rfind("\n", low, start)
    if newline == -1 and low > 0:
        return False  # a line this long is no key file
    assigned = _NAME_BEFORE.search(text[newline + 1 : start])
    if assigned is None:
        return False
    return re.sub(r"[_-]", "", assigned.group(1).lower()) in _PUBLIC_IDS


class GenericSecretRecognizer(WardenRecognizer):
    ENTITY = "GENERIC_SECRET"
    PREFIXES = (
        "key", "token", "secret", "pass", "pwd", "credential", "authorization", "bearer",
    )  # fmt: skip
    ANCHORED = True
    # STS session tokens run to 1,000 characters and more.
    MAX_LENGTH = 1100
    JOIN_LINES = False  # the value ends at the line's end
    PATTERNS = (
        # One pattern for both shapes, so each keyword position costs one match attempt:
        # "client_secret = ...", "token: ...", "password is ..." and "Bearer ...".
        Pattern(
            "secret_assignment",
            # SMTP_PASS but not bypass or compass; aligned `password          = "..."` (HCL).
            r"(?:(?i:key|token|secret|pass(?:w(?:or)?d|phrase)|(?<![a-z])pass|pwd|credentials?"
            r"|authorization)[A-Za-z0-9_.-]{0,30}[\"']?(?:[ \t]{0,40}|\s{0,3})"
            r"(?:[:=]|=>|:=|\s(?:is|was|=)\s)\s{0,3}[\"'`]?\s?(?i:(?:bearer|basic|token)\s+)?"
            r"|(?i:bearer)\s+)"
            r"(?P<value>[^\s\"'`,;<>(){}\[\]]{1,1024})",
            0.7,
        ),
        # PHP's define('DB_PASSWORD', '...') and WordPress's define('AUTH_KEY', '...'): a
        # quoted name, a comma, a quoted value (which may start with any symbol).
        Pattern(
            "secret_define",
            r"(?i:key|token|secret|pass(?:w(?:or)?d|phrase)?|pwd|credentials?)[A-Za-z0-9_.-]{0,30}"
            r"[\"']\s{0,3},\s{0,3}[\"'](?P<value>[^\"'\r\n]{1,256})",
            0.7,
        ),
        # A Kubernetes env entry: `- name: API_TOKEN` then `value: "..."` on the next line.
        Pattern(
            "secret_env_entry",
            r"(?i:key|token|secret|pass(?:w(?:or)?d|phrase)?|pwd|credentials?)[A-Za-z0-9_.-]{0,30}"
            r"[\"']?[ \t]*\r?\n[ \t]*value:[ \t]*[\"']?(?P<value>[^\s\"'`]{1,1024})",
            0.7,
        ),
        # <add key="PartnerApiKey" value="..."/> (.NET app settings and the like)
        Pattern(
            "secret_xml_attribute",
            r"(?i:key|token|secret|pass(?:w(?:or)?d|phrase)?|pwd|credentials?)[A-Za-z0-9_.:-]{0,30}"
            r"[\"']\s{1,3}(?i:value)\s{0,3}=\s{0,3}[\"'](?P<value>[^\s\"'<>]{1,256})",
            0.7,
        ),
        # <password>...</password>, <dbToken>...</dbToken>
        Pattern(
            "secret_xml_element",
            r"(?i:key|token|secret|pass(?:w(?:or)?d|phrase)?|pwd|credentials?)[A-Za-z0-9_.:-]{0,30}"
            r">(?P<value>[^\s<>]{1,256})</",
            0.7,
        ),
    )

    def refine(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        quote = text[start - 1] if start > 0 else ""
        closing = (
            text.find(quote, end, max(end + 1, start + _MAX_QUOTED))
            if quote in ('"', "'", "`")
            else -1
        )
        quoted = closing >= 0 and "\n" not in text[end:closing]
        # <password>Maple.Rocket.Harbor12.</password>: an element's text is a literal too
        element = not quoted and text.startswith("</", end)
        if quoted:
            end = closing  # "Kp9-Lm.2 xQ!": the value is everything up to its closing quote
        elif not element and not _in_config_line(text, start, end):
            # A value at the end of a sentence: "the token is a1B2c3D4e5F6g7H8." In a
            # configuration line (password: Xy7-kQ2!) the last character is the value's.
            while end > start and text[end - 1] in ".!?:":
                end -= 1
        value = text[start:end]
        if _IDENTIFIER.match(value):
            return None
        # A quoted value is a literal: "Ab3.cD.eF9" under a password name is no settings.X.
        config_line = element or (not quoted and _in_config_line(text, start, end))
        reference = _is_reference(value, config_line=config_line)
        if (reference and not quoted) or _is_prose(value):
            return None
        if _names_public_identifier(text, start):
            return None
        if public_or_masked(value):
            return None
        before = text[max(0, start - 64) : start]
        window = before[-48:].lower()
        named = _assigned_name(before)
        names_secret = named is not None and _names_secret(named)
        if named is not None and "public" in named.lower():
            return None  # WireGuard's PublicKey, a public_key: public by design
        if _jwt_shaped_non_jwt(value, secret_name=names_secret):
            return None
        if (
            names_secret or any(word in window for word in _PASSWORD_WORDS)
        ) and looks_like_password(value, literal=quoted or config_line):
            # "Tr0ub4dor&3": passwords are shorter and less random than keys; so are the tokens
            # people make up for their own services (API_TOKEN=Jk7-Lm.2Np9Q).
            return start, end
        return (start, end) if looks_random(value) and not reference else None
