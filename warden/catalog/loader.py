"""Read one catalog YAML file into entries, refusing anything a person could have got wrong.

Every error names the file and the line of the offending key, value or entry, because the
catalog is meant to be extended by hand and "invalid catalog" alone helps nobody.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import yaml

from warden.catalog.entry import KNOWN_SCHEMAS, AppKind, CatalogEntry, Sanction
from warden.catalog.patterns import parse_host_pattern
from warden.errors import ConfigError

__all__ = ["CATALOG_VERSION", "read_catalog_file"]

CATALOG_VERSION = 1

_APP_KEYS = ("id", "name", "vendor", "kind", "schema", "hosts", "sanctioned", "intercept", "notes")
_REQUIRED_KEYS = ("id", "name", "vendor", "kind", "schema", "hosts", "sanctioned")
_TOP_KEYS = ("version", "apps")


class _Dict(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on."""

    line = 0


class _Str(str):
    """A YAML string that remembers its line, so errors can point at a single host or key."""

    line = 0


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and strings carry 1-based line numbers."""


def _construct_str(loader: _LineLoader, node: yaml.ScalarNode) -> _Str:
    value = _Str(loader.construct_scalar(node))
    value.line = node.start_mark.line + 1
    return value


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    data = _Dict()
    data.line = node.start_mark.line + 1
    yield data
    # PyYAML keeps the last of two equal keys without a word; in a hand-edited file the first
    # one was usually meant, so a repeated key is an error rather than a silent override.
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                )
            seen.add(key_node.value)
    data.update(loader.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def read_catalog_file(path: Path) -> list[CatalogEntry]:
    """Parse and validate one catalog file; raise ConfigError("file:line: message")."""
    return _FileReader(path).read()


def _line(value: object, fallback: int) -> int:
    return getattr(value, "line", 0) or fallback


def _one_of(values: type[AppKind] | type[Sanction] | frozenset[str]) -> str:
    names = sorted(str(v) for v in values)
    return ", ".join(names)


class _FileReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.host_owner: dict[str, tuple[str, int]] = {}  # pattern -> (app id, line)
        self.id_line: dict[str, int] = {}

    def fail(self, line: int, message: str) -> NoReturn:
        raise ConfigError(f"{self.path}:{line}: {message}")

    def read(self) -> list[CatalogEntry]:
        doc = self._parse()
        if not isinstance(doc, _Dict):
            self.fail(1, "a catalog file must be a mapping with 'version' and 'apps'")
        for key in doc:
            if key not in _TOP_KEYS:
                message = f"unknown top-level key {key!r}; expected version, apps"
                self.fail(_line(key, doc.line), message)
        version = doc.get("version")
        if "version" not in doc or type(version) is not int or version != CATALOG_VERSION:
            self.fail(
                self._key_line(doc, "version"),
                f"'version: {CATALOG_VERSION}' is required (this Warden reads catalog version "
                f"{CATALOG_VERSION}), got {version!r}",
            )
        apps = doc.get("apps")
        if not isinstance(apps, list):
            self.fail(self._key_line(doc, "apps"), "'apps' must be a list of app entries")
        apps_line = self._key_line(doc, "apps")
        return [self._entry(raw, _line(raw, apps_line)) for raw in apps]

    def _parse(self) -> object:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{self.path}: cannot read catalog file: {exc}") from exc
        try:
            return yaml.load(text, Loader=_LineLoader)  # a SafeLoader: builds no objects
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            self.fail(line, f"invalid YAML: {exc.problem or exc.context}")
        except yaml.YAMLError as exc:
            raise ConfigError(f"{self.path}: invalid YAML: {exc}") from exc

    @staticmethod
    def _key_line(mapping: _Dict, name: str) -> int:
        for key in mapping:
            if key == name:
                return _line(key, mapping.line)
        return mapping.line

    def _entry(self, raw: object, line: int) -> CatalogEntry:
        if not isinstance(raw, _Dict):
            self.fail(line, "each app must be a mapping with id, name, vendor, kind, ...")
        app_id = raw.get("id")
        label = f"app {app_id!r}" if isinstance(app_id, str) else "app"
        for key in raw:
            if key not in _APP_KEYS:
                self.fail(
                    _line(key, line),
                    f"unknown key {key!r} in {label}; expected one of {', '.join(_APP_KEYS)}",
                )
        missing = [key for key in _REQUIRED_KEYS if key not in raw]
        if missing:
            self.fail(line, f"{label} is missing {', '.join(missing)}")

        app_id = self._slug(raw)
        name = self._text(raw, "name")
        vendor = self._text(raw, "vendor")
        kind = self._choice(raw, "kind", AppKind)
        schema = self._choice(raw, "schema", KNOWN_SCHEMAS)
        sanctioned = self._choice(raw, "sanctioned", Sanction)
        intercept = raw.get("intercept", True)
        if not isinstance(intercept, bool):
            self.fail(self._key_line(raw, "intercept"), "'intercept' must be true or false")
        notes = raw.get("notes", "")
        if not isinstance(notes, str):
            self.fail(self._key_line(raw, "notes"), "'notes' must be text")
        hosts = self._hosts(raw, app_id)
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
        )

    def _text(self, raw: _Dict, key: str) -> str:
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(_line(value, self._key_line(raw, key)), f"'{key}' must be non-empty text")
        return str(value).strip()

    def _slug(self, raw: _Dict) -> str:
        value = self._text(raw, "id")
        at = _line(raw["id"], raw.line)
        if not all(c.isascii() and (c.isalnum() or c == "-") for c in value) or (
            value != value.lower() or value.startswith("-")
        ):
            self.fail(at, f"id {value!r} must be a slug: lower-case letters, digits and '-'")
        if value in self.id_line:
            self.fail(at, f"duplicate app id {value!r} (first at line {self.id_line[value]})")
        self.id_line[value] = at
        return value

    def _choice(
        self,
        raw: _Dict,
        key: str,
        allowed: type[AppKind] | type[Sanction] | frozenset[str],
    ) -> str:
        value = raw[key]
        if not isinstance(value, str) or value not in {str(v) for v in allowed}:
            self.fail(
                _line(value, self._key_line(raw, key)),
                f"'{key}' is {value!r}; expected one of {_one_of(allowed)}",
            )
        return str(value)

    def _hosts(self, raw: _Dict, app_id: str) -> tuple[str, ...]:
        hosts_line = self._key_line(raw, "hosts")
        values = raw["hosts"]
        if not isinstance(values, list) or not values:
            self.fail(hosts_line, f"'hosts' of app {app_id!r} must be a non-empty list")
        patterns: list[str] = []
        for value in values:
            at = _line(value, hosts_line)
            if not isinstance(value, str):
                self.fail(at, f"host {value!r} of app {app_id!r} must be text")
            try:
                pattern = parse_host_pattern(value).text
            except ValueError as exc:
                self.fail(at, str(exc))
            owner = self.host_owner.get(pattern)
            if owner is not None:
                other, other_line = owner
                where = f"twice in app {app_id!r}" if other == app_id else f"by app {other!r} too"
                self.fail(at, f"host {pattern!r} is listed {where} (line {other_line})")
            self.host_owner[pattern] = (app_id, at)
            patterns.append(pattern)
        return tuple(patterns)
