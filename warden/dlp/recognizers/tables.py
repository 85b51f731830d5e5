"""Secrets whose name is a column header rather than the value's own assignment.

- A Markdown table: `| user | password |`, the `|---|---|` line, then rows.
- CSV or TSV: a header line of names (`username,password,api_key`), then rows with as many
  cells.
- A printed DataFrame (Jupyter, pandas): a header of names separated by spaces, then rows
  that start with the index and have one cell more than the header.
- SQL: `INSERT INTO users (email, password) VALUES ('a@b.c', '...'), (...)`: the column list
  maps each value of each row to its name.

Only the cells under a column whose name names a secret (password, api_key, token, secret,
see entropy.py) are judged, and only reported when the cell looks like a password or a key
(`looks_like_password`, `looks_random`): `***`, `<redacted>`, `None`, `NaN`, placeholders,
references, a password hash (`$2b$...`) and a column named `password_hash` are not. A header
without rows reports nothing.

PairSecretRecognizer: a value whose name is a sibling field, `{"key": "password", "value":
"..."}` (Postman) or `{"name": "token", "value": "..."}` (HAR), and session cookies:
`Cookie: _ga=...; session_id=...`, `Set-Cookie: auth_token=...; Path=/` and DevTools' cookie
table (Name, Value, Domain... columns). A cookie counts when its name reads as a session or a
login (sess, sid, auth, token, jwt, remember, login) and its value looks random; analytics
cookies (_ga, _gid) and preferences are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import RecognizerResult

from warden.dlp.placeholders import is_placeholder
from warden.dlp.recognizers.base import Pattern, WardenRecognizer
from warden.dlp.recognizers.entropy import (
    looks_like_password,
    looks_random,
    names_secret,
    placeholder_literal,
    public_or_masked,
)

__all__ = ["ColumnSecretRecognizer", "PairSecretRecognizer"]

_MAX_ROWS = 200
_MAX_CELL = 256
# Column names: words, maybe dotted or spaced (`api key`); a header has 2 to 40 of them.
_COLUMN = re.compile(r"[A-Za-z_][\w ./-]{0,40}")
_MD_SEPARATOR = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-{0,}:?\s*\|?\s*")
_DF_ROW_INDEX = re.compile(r"\S+")
# Column names that name a secret but hold no secret: hashes, salts, when and how it was set.
_NOT_SECRET_COLUMN = re.compile(
    r"(?i:hash|digest|salt|_at$|date|expir|type|policy|length|reset|changed|hint|id$|count)"
)
# Password hashes: bcrypt, crypt's $1$ $5$ $6$, argon2, Django's pbkdf2.
_HASH_VALUE = re.compile(r"\$(?:2[abxy]?|1|5|6|argon2\w*|y)\$|pbkdf2_|sha\d+\$|bcrypt\$")
_EMPTY = frozenset({"", "none", "nan", "null", "nil", "n/a", "na", "-", "—", "?", "<na>"})
_SQL_INSERT = re.compile(
    r"(?i:insert\s+(?:ignore\s+)?into)\s+[\w.\"`\[\]]{1,128}\s*\(([^()]{1,2000})\)\s*(?i:values)\s*"
)
# One SQL literal or bare word in a VALUES tuple.
_SQL_TOKEN = re.compile(
    r"\s*(?:'(?P<quoted>(?:[^']|'')*)'|\"[^\"]*\"|[A-Za-z_][\w.]{0,64}\([^()]{0,200}\)"
    r"|[^,()'\"\s][^,()]*?)\s*(?P<end>[,)])"
)


def _secret_column(name: str) -> bool:
    name = name.strip().strip("`\"'*[]")
    if not name or _NOT_SECRET_COLUMN.search(name):
        return False
    return names_secret(name.replace(" ", "_"))


def _secret_cell(value: str) -> bool:
    if len(value) > _MAX_CELL or value.lower() in _EMPTY or "\n" in value:
        return False
    if _HASH_VALUE.match(value) or is_placeholder(value) or placeholder_literal(value):
        return False
    if public_or_masked(value):
        return False
    return looks_like_password(value, literal=True) or looks_random(value)


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end == -1 else end


def _lines_after(text: str, end: int) -> Iterator[tuple[int, str]]:
    """The lines after the one ending at `end`, with where each starts (at most _MAX_ROWS),
    read only as far as the caller reads: most header-like lines have no table under them."""
    pos = end + 1
    for _ in range(_MAX_ROWS):
        if pos > len(text):
            return
        stop = text.find("\n", pos)
        stop = len(text) if stop == -1 else stop
        yield pos, text[pos:stop].rstrip("\r")
        pos = stop + 1


def _split_cells(line: str, sep: str, base: int) -> list[tuple[int, str]]:
    """Cells of a line with where each cell's stripped value starts."""
    cells: list[tuple[int, str]] = []
    pos = 0
    for raw in line.split(sep):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        cells.append((base + pos + lead, stripped))
        pos += len(raw) + len(sep)
    return cells


class ColumnSecretRecognizer(WardenRecognizer):
    ENTITY = "GENERIC_SECRET"
    PREFIXES = ("pass", "pwd", "secret", "token", "key", "credential", "insert", "name\tvalue")
    # The rows follow the header: a window is the header line; rows are read from the text.
    MAX_LENGTH = 200
    # Not 0: the scanner retries a recognizer with BEFORE 0 at every key word glued to what
    # precedes it (for vendor keys); tables and pairs have nothing glued to look for.
    BEFORE = 1
    JOIN_LINES = False
    # Not used for matching (analyze_span reads the tables); Presidio wants one pattern.
    PATTERNS = (Pattern("column_header", r"(?!)", 0.7),)
    SCORE = 0.7

    def analyze_span(self, text: str, start: int, end: int) -> list[RecognizerResult]:
        found: list[tuple[int, int]] = []
        seen: set[int] = set()
        pos = start
        while pos < end:
            line_start, line_end = _line_bounds(text, pos)
            if line_start not in seen:
                seen.add(line_start)
                found += self._header(text, line_start, line_end)
            pos = line_end + 1
        results = []
        for s, e in found:
            result = self._score(text, s, e, self.SCORE)
            if result is not None:
                results.append(result)
        return results

    def _header(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        line = text[start:end].rstrip("\r")
        low = line.lower()
        if "insert" in low and "into" in low:
            return _sql_values(text, start)
        stripped = line.strip()
        if not any(w in low for w in self.PREFIXES):
            return []
        rows = _lines_after(text, end)
        if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
            return _markdown(line, rows)
        for sep in ("\t", ","):
            if line.count(sep) >= 1:
                return _delimited(line, sep, rows)
        return _dataframe(line, rows)


def _cells_under(columns: list[int], rows: list[list[tuple[int, str]]]) -> list[tuple[int, int]]:
    found = []
    for cells in rows:
        for i in columns:
            at, value = cells[i]
            value = value.strip()
            trimmed = value.strip("`")
            if len(trimmed) >= 2 and trimmed[0] == trimmed[-1] and trimmed[0] in "\"'":
                trimmed = trimmed[1:-1]
            if _secret_cell(trimmed):
                offset = value.find(trimmed)
                found.append((at + offset, at + offset + len(trimmed)))
    return found


def _markdown(header: str, rows: Iterator[tuple[int, str]]) -> list[tuple[int, int]]:
    names = [c for _, c in _split_cells(header.strip().strip("|"), "|", 0)]
    columns = [i for i, name in enumerate(names) if _secret_column(name)]
    first = next(rows, None) if columns else None
    if first is None or not _MD_SEPARATOR.fullmatch(first[1]):
        return []
    table = []
    for base, line in rows:
        stripped = line.strip()
        if not stripped.startswith("|"):
            break
        lead = line.index("|") + 1
        inner = line[lead:].rstrip()
        inner = inner[:-1] if inner.endswith("|") else inner
        cells = _split_cells(inner, "|", base + lead)
        if len(cells) == len(names):
            table.append(cells)
    return _cells_under(columns, table)


def _delimited(header: str, sep: str, rows: Iterator[tuple[int, str]]) -> list[tuple[int, int]]:
    names = [c for _, c in _split_cells(header, sep, 0)]
    if len(names) < 2 or not all(_COLUMN.fullmatch(n.strip("\"'")) for n in names):
        return []
    lowered = [n.strip("\"'").lower() for n in names]
    if "name" in lowered and "value" in lowered:
        return _name_value_rows(lowered.index("name"), lowered.index("value"), sep, rows)
    columns = [i for i, name in enumerate(names) if _secret_column(name.strip("\"'"))]
    if not columns:
        return []
    table = []
    for base, line in rows:
        cells = _split_cells(line, sep, base)
        if len(cells) != len(names):
            break
        table.append(cells)
    return _cells_under(columns, table)


def _name_value_rows(
    name: int, value: int, sep: str, rows: Iterator[tuple[int, str]]
) -> list[tuple[int, int]]:
    """A table of name/value rows (DevTools' cookie table): the row's name names the value."""
    found = []
    for base, line in rows:
        cells = _split_cells(line, sep, base)
        if len(cells) <= max(name, value):
            break
        at, cell = cells[value]
        if _secret_pair(cells[name][1], cell):
            found.append((at, at + len(cell)))
    return found


def _dataframe(header: str, rows: Iterator[tuple[int, str]]) -> list[tuple[int, int]]:
    names = header.split()
    if len(names) < 2 or not all(_COLUMN.fullmatch(n) for n in names):
        return []
    columns = [i + 1 for i, name in enumerate(names) if _secret_column(name)]
    if not columns:
        return []
    table = []
    for base, line in rows:
        cells = [(base + m.start(), m.group()) for m in _DF_ROW_INDEX.finditer(line)]
        if len(cells) != len(names) + 1 or not cells[0][1].isdigit():
            break
        table.append(cells)
    return _cells_under(columns, table)


def _sql_values(text: str, line_start: int) -> list[tuple[int, int]]:
    window_end = min(len(text), line_start + 20_000)
    insert = _SQL_INSERT.search(text, line_start, window_end)
    if insert is None or text.rfind("\n", line_start, insert.start()) != -1:
        return []
    names = [n.strip().strip('`"[]') for n in insert.group(1).split(",")]
    columns = {i for i, name in enumerate(names) if _secret_column(name)}
    if not columns:
        return []
    found: list[tuple[int, int]] = []
    pos = insert.end()
    for _ in range(_MAX_ROWS):
        while pos < window_end and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= window_end or text[pos] != "(":
            break
        pos += 1
        index = 0
        while True:
            token = _SQL_TOKEN.match(text, pos, window_end)
            if token is None:
                return found
            if index in columns and token.group("quoted") is not None:
                s, e = token.span("quoted")
                if _secret_cell(text[s:e]):
                    found.append((s, e))
            pos = token.end()
            index += 1
            if token.group("end") == ")":
                break
    return found


# Names of cookies that carry a session or a login (not _ga, _gid, theme, locale...).
_SESSION_COOKIE = re.compile(r"(?i:sess|(?<![a-z])sid|auth|token|jwt|remember|login|secret)")
# {"key": "password", "value": "..."} (Postman), {"name": "token", "value": "..."} (HAR),
# with maybe a "type" between; the name is checked in code.
_JSON_PAIR = re.compile(
    r"\"(?:key|name)\"\s{0,3}:\s{0,3}\"(?P<name>[^\"\\\r\n]{1,64})\"\s{0,3},\s{0,3}"
    r"(?:\"(?:type|description|enabled)\"\s{0,3}:\s{0,3}(?:\"[^\"\r\n]{0,64}\"|\w{1,8})\s{0,3},\s{0,3})?"
    r"\"value\"\s{0,3}:\s{0,3}\"(?P<value>[^\"\r\n]{1,1100})\""
)
# Cookie: a=b; session_id=...   Set-Cookie: sessionid=...; Path=/   (a header line, or a HAR
# header whose value is the cookie string).
_COOKIE_HEADER = re.compile(
    r"(?i:cookie)(?:\"?\s{0,3}[:=]\s{0,3}\"?|\"\s{0,3},\s{0,3}\"value\"\s{0,3}:\s{0,3}\")"
    r"(?P<value>[^\"\r\n]{1,4000})"
)
_COOKIE_PAIR = re.compile(r"\s*([^=;,\s]{1,64})=([^;,\s\"]{1,1024})")


def _secret_pair(name: str, value: str) -> bool:
    """A value next to a name that names a secret or a session cookie."""
    if not (_secret_column(name) or _SESSION_COOKIE.search(name)):
        return False
    if len(value) > 1100 or value.lower() in _EMPTY or is_placeholder(value):
        return False
    if placeholder_literal(value) or _HASH_VALUE.match(value) or public_or_masked(value):
        return False
    if _secret_column(name) and looks_like_password(value, literal=True):
        return True
    return looks_random(value)


class PairSecretRecognizer(WardenRecognizer):
    """A value whose name is a sibling field (`{"key": "apiKey", "value": "..."}`) or a
    cookie's name (`Cookie: session_id=...`)."""

    ENTITY = "GENERIC_SECRET"
    PREFIXES = ('"key"', '"name"', "cookie")
    MAX_LENGTH = 1300
    BEFORE = 1  # see ColumnSecretRecognizer
    JOIN_LINES = False
    PATTERNS = (Pattern("name_value_pair", r"(?!)", 0.7),)
    SCORE = 0.7

    def analyze_span(self, text: str, start: int, end: int) -> list[RecognizerResult]:
        found: list[tuple[int, int]] = []
        limit = min(len(text), end + self.MAX_LENGTH)
        for match in _JSON_PAIR.finditer(text, start, limit):
            if match.start() >= end:
                break
            if match.group("name").lower() == "cookie":
                continue  # read as a cookie string below
            if _secret_pair(match.group("name"), match.group("value")):
                found.append(match.span("value"))
        for match in _COOKIE_HEADER.finditer(text, start, limit):
            if match.start() >= end:
                break
            base = match.start("value")
            pairs = match.group("value").split(";")
            if text[match.start() - 4 : match.start()].lower() == "set-":
                pairs = pairs[:1]  # the rest are attributes (Path, Expires...)
            pos = base
            for pair in pairs:
                cookie = _COOKIE_PAIR.match(pair)
                if cookie is not None and _secret_pair(cookie.group(1), cookie.group(2)):
                    found.append((pos + cookie.start(2), pos + cookie.end(2)))
                pos += len(pair) + 1
        results = []
        for s, e in found:
            result = self._score(text, s, e, self.SCORE)
            if result is not None:
                results.append(result)
        return results
