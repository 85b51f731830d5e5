"""Read one catalog YAML file into entries, refusing anything a person could have got wrong.

Every error names the file, line and column of the offending key, value or entry, because
the catalog is meant to be extended by hand and "invalid catalog" alone helps nobody. The
file is read strictly (warden/strict_yaml.py): empty, version-less or duplicate-key files
are refused before any entry is looked at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

from warden.catalog.entry import KNOWN_SCHEMAS, AppKind, CatalogEntry, Category, Sanction
from warden.catalog.patterns import parse_host_pattern
from warden.catalog.risk import RiskProfile
from warden.catalog.risk_reader import RiskFieldError, read_risk, valid_url
from warden.errors import ConfigError
from warden.strict_yaml import YamlDocument, read_yaml_document
from warden.yamlfile import read_text_file

__all__ = ["CATALOG_VERSION", "read_catalog_file"]

CATALOG_VERSION = 1

_APP_KEYS = (
    "id",
    "name",
    "vendor",
    "kind",
    "category",
    "schema",
    "hosts",
    "sanctioned",
    "intercept",
    "source",
    "risk",
    "notes",
)
# `category` and `source` are optional so that site files written before they existed still
# load; the shipped catalog must have both (tests/catalog/test_catalog_data.py).
_REQUIRED_KEYS = ("id", "name", "vendor", "kind", "schema", "hosts", "sanctioned")
_TOP_KEYS = ("version", "apps")

# Where a value sits in the file: keys and list indexes from the top, e.g. ("apps", 2, "id").
type _Loc = tuple[str | int, ...]


def read_catalog_file(path: Path) -> list[CatalogEntry]:
    """Parse and validate one catalog file; raise ConfigError("file:line:column: message")."""
    try:
        stat = os.stat(path)
    except OSError:
        return _FileReader(path).read()  # says what is wrong with the path, in its words
    # The shipped catalog is 2,500 lines of YAML (about 170 ms to parse): read once per
    # version of the file, not at every policy reload or runtime built. Entries are frozen.
    signature = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _PARSED.get(signature)
    if cached is None:
        cached = _PARSED[signature] = tuple(_FileReader(path).read())
        while len(_PARSED) > _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]
    return list(cached)


_PARSED: dict[tuple[str, int, int, int], tuple[CatalogEntry, ...]] = {}
_PARSED_MAX = 8


type _Allowed = type[AppKind] | type[Category] | type[Sanction] | frozenset[str]


def _one_of(values: _Allowed) -> str:
    names = sorted(str(v) for v in values)
    return ", ".join(names)


class _FileReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc: YamlDocument | None = None
        self.host_owner: dict[str, tuple[str, str]] = {}  # pattern -> (app id, where)
        self.id_where: dict[str, str] = {}

    def where(self, loc: _Loc, at_key: bool = False) -> str:
        return self.doc.where(loc, at_key) if self.doc is not None else str(self.path)

    def fail(self, loc: _Loc, message: str, at_key: bool = False) -> NoReturn:
        raise ConfigError(f"{self.where(loc, at_key)}: {message}")

    def read(self) -> list[CatalogEntry]:
        # Refuses empty, non-mapping, version-less and duplicate-key files with positions.
        self.doc = read_yaml_document(read_text_file(self.path), str(self.path))
        doc = self.doc.data
        for key in doc:
            if key not in _TOP_KEYS:
                message = f"unknown top-level key {key!r}; expected version, apps"
                self.fail((key,), message, at_key=True)
        version = doc["version"]
        if type(version) is not int or version != CATALOG_VERSION:
            self.fail(
                ("version",),
                f"'version: {CATALOG_VERSION}' is required (this Warden reads catalog version "
                f"{CATALOG_VERSION}), got {version!r}",
            )
        apps = doc.get("apps")
        if not isinstance(apps, list):
            self.fail(("apps",), "'apps' must be a list of app entries")
        return [self._entry(raw, ("apps", i)) for i, raw in enumerate(apps)]

    def _entry(self, raw: Any, loc: _Loc) -> CatalogEntry:
        if not isinstance(raw, dict):
            self.fail(loc, "each app must be a mapping with id, name, vendor, kind, ...")
        app_id = raw.get("id")
        label = f"app {app_id!r}" if isinstance(app_id, str) else "app"
        for key in raw:
            if key not in _APP_KEYS:
                self.fail(
                    (*loc, key),
                    f"unknown key {key!r} in {label}; expected one of {', '.join(_APP_KEYS)}",
                    at_key=True,
                )
        missing = [key for key in _REQUIRED_KEYS if key not in raw]
        if missing:
            self.fail(loc, f"{label} is missing {', '.join(missing)}")

        app_id = self._slug(raw, loc)
        name = self._text(raw, loc, "name")
        vendor = self._text(raw, loc, "vendor")
        kind = self._choice(raw, loc, "kind", AppKind)
        category = (
            self._choice(raw, loc, "category", Category) if "category" in raw else Category.OTHER
        )
        schema = self._choice(raw, loc, "schema", KNOWN_SCHEMAS)
        sanctioned = self._choice(raw, loc, "sanctioned", Sanction)
        intercept = raw.get("intercept", True)
        if not isinstance(intercept, bool):
            self.fail((*loc, "intercept"), "'intercept' must be true or false")
        notes = raw.get("notes", "")
        if not isinstance(notes, str):
            self.fail((*loc, "notes"), "'notes' must be text")
        hosts = self._hosts(raw, loc, app_id)
        source = raw.get("source", "")
        if "source" in raw and not valid_url(source):
            self.fail(
                (*loc, "source"),
                f"'source' of app {app_id!r} must be the http(s) URL of the vendor's page "
                "that names these hosts",
            )
        return CatalogEntry(
            id=app_id,
            name=name,
            vendor=vendor,
            kind=AppKind(kind),
            schema=schema,
            hosts=hosts,
            sanctioned=Sanction(sanctioned),
            intercept=intercept,
            notes=str(notes).strip(),
            category=Category(category),
            source=str(source),
            risk=self._risk(raw, loc),
        )

    def _risk(self, raw: dict[str, Any], loc: _Loc) -> RiskProfile:
        if "risk" not in raw:
            return RiskProfile()
        try:
            return read_risk(raw["risk"])
        except RiskFieldError as exc:
            self.fail((*loc, "risk", *exc.where), str(exc), at_key=exc.at_key)

    def _text(self, raw: dict[str, Any], loc: _Loc, key: str) -> str:
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            self.fail((*loc, key), f"'{key}' must be non-empty text")
        return str(value).strip()

    def _slug(self, raw: dict[str, Any], loc: _Loc) -> str:
        value = self._text(raw, loc, "id")
        at = (*loc, "id")
        if not all(c.isascii() and (c.isalnum() or c == "-") for c in value) or (
            value != value.lower() or value.startswith("-")
        ):
            self.fail(at, f"id {value!r} must be a slug: lower-case letters, digits and '-'")
        if value in self.id_where:
            self.fail(at, f"duplicate app id {value!r} (first at {self.id_where[value]})")
        self.id_where[value] = self.where(at)
        return value

    def _choice(
        self,
        raw: dict[str, Any],
        loc: _Loc,
        key: str,
        allowed: _Allowed,
    ) -> str:
        value = raw[key]
        if not isinstance(value, str) or value not in {str(v) for v in allowed}:
            self.fail((*loc, key), f"'{key}' is {value!r}; expected one of {_one_of(allowed)}")
        return str(value)

    def _hosts(self, raw: dict[str, Any], loc: _Loc, app_id: str) -> tuple[str, ...]:
        values = raw["hosts"]
        if not isinstance(values, list) or not values:
            self.fail((*loc, "hosts"), f"'hosts' of app {app_id!r} must be a non-empty list")
        patterns: list[str] = []
        for i, value in enumerate(values):
            at = (*loc, "hosts", i)
            if not isinstance(value, str):
                self.fail(at, f"host {value!r} of app {app_id!r} must be text")
            try:
                pattern = parse_host_pattern(value).text
            except ValueError as exc:
                self.fail(at, str(exc))
            owner = self.host_owner.get(pattern)
            if owner is not None:
                other, other_where = owner
                where = f"twice in app {app_id!r}" if other == app_id else f"by app {other!r} too"
                self.fail(at, f"host {pattern!r} is listed {where} (first at {other_where})")
            self.host_owner[pattern] = (app_id, self.where(at))
            patterns.append(pattern)
        return tuple(patterns)
