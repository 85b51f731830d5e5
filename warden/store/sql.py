"""Quoting for the few SQL strings the store builds itself (paths, names, a purge's user)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["file_list", "literal", "quoted"]


def quoted(name: str) -> str:
    """An identifier: "user" is a keyword, so every column name goes through this."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    # COPY and CREATE VIEW take no bound parameters, so values are inlined; doubling the
    # quote is the whole of SQL string escaping in DuckDB (no backslash escapes).
    return "'" + value.replace("'", "''") + "'"


def file_list(paths: Iterable[Path | str]) -> str:
    return "[" + ", ".join(literal(str(p)) for p in paths) + "]"
