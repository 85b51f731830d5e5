"""`warden catalog`: list, search and look hosts up in the AI catalog; diff an update."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from warden.catalog import SHIPPED_CATALOG, Catalog, CatalogEntry, Category, RiskLevel
from warden.catalog.diff import diff_catalogs
from warden.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cat = sub.add_parser(
        "catalog",
        help="list, search and look up hosts in the AI catalog; 'diff FILE' previews an update",
        description=(
            "With hosts: what each maps to. Without: the catalog, narrowed by --category, "
            "--risk and --search. 'warden catalog diff OTHER.yaml' shows what replacing the "
            "shipped catalog with OTHER.yaml would change (--extra: adding it as a site file)."
        ),
    )
    cat.add_argument("hosts", nargs="*", help="hosts to look up; none lists the catalog")
    cat.add_argument("--catalog", type=Path, action="append", default=[], help="site file")
    cat.add_argument("--category", action="append", default=[], choices=[c.value for c in Category])
    cat.add_argument("--risk", action="append", default=[], choices=[r.value for r in RiskLevel])
    cat.add_argument("--search", default=None, help="text in the id, name, vendor or a host")
    cat.add_argument("--reasons", action="store_true", help="list each app's rating reasons")
    cat.add_argument("--extra", action="store_true", help="diff: OTHER is a site file")
    cat.add_argument("--json", action="store_true")
    cat.set_defaults(func=_catalog)


def _catalog(args: argparse.Namespace) -> int:
    try:
        if args.hosts[:1] == ["diff"]:
            return _diff(args)
        catalog = Catalog.default(*args.catalog)
    except ConfigError as exc:
        print(f"warden catalog: {exc}", file=sys.stderr)
        return 2
    if args.hosts:
        pairs = [(host, catalog.lookup(host)) for host in args.hosts]
    else:
        pairs = [(None, e) for e in catalog.entries if _selected(e, args)]
    rows = [_row(host, entry) for host, entry in pairs]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(_line(row, args.reasons))
        if not args.hosts:
            print(f"{len(rows)} of {len(catalog)} apps", file=sys.stderr)
    return 0 if all("id" in row for row in rows) else 1


def _selected(entry: CatalogEntry, args: argparse.Namespace) -> bool:
    if args.category and entry.category not in args.category:
        return False
    if args.risk and entry.rating.level not in args.risk:
        return False
    if args.search:
        text = args.search.lower()
        fields = (entry.id, entry.name, entry.vendor, *entry.hosts)
        return any(text in value.lower() for value in fields)
    return True


def _row(host: str | None, entry: CatalogEntry | None) -> dict[str, object]:
    row: dict[str, object] = {"host": host} if host else {}
    if entry is None:
        row["match"] = None
        return row
    rating = entry.rating
    row.update(
        id=entry.id,
        name=entry.name,
        vendor=entry.vendor,
        kind=str(entry.kind),
        category=str(entry.category),
        risk=str(rating.level),
        risk_reasons=list(rating.reasons),
        schema=entry.schema,
        sanctioned=str(entry.sanctioned),
        intercept=entry.intercept,
        hosts=list(entry.hosts),
        source=entry.source or None,
    )
    return row


def _line(row: dict[str, object], reasons: bool) -> str:
    prefix = f"{row['host']}: " if "host" in row else ""
    if "id" not in row:
        return f"{prefix}not an AI host (tunnelled, not decrypted)"
    hosts = ", ".join(row["hosts"])  # type: ignore[arg-type]
    tunnelled = "" if row["intercept"] else " (not decrypted)"
    line = (
        f"{prefix}{row['id']:<22} {row['kind']:<9} {row['category']:<11} "
        f"risk {row['risk']:<7} {row['schema']:<18} {row['sanctioned']:<12} {hosts}{tunnelled}"
    )
    if reasons:
        line += "".join(f"\n    - {r}" for r in row["risk_reasons"])  # type: ignore[attr-defined]
    return line


def _diff(args: argparse.Namespace) -> int:
    if len(args.hosts) != 2:
        print("usage: warden catalog diff OTHER.yaml [--extra] [--catalog SITE]", file=sys.stderr)
        return 2
    other = Path(args.hosts[1])
    before = Catalog.default(*args.catalog)
    after = (
        Catalog.load(SHIPPED_CATALOG, *args.catalog, other)
        if args.extra
        else Catalog.load(other, *args.catalog)
    )
    changes = diff_catalogs(before, after)
    if args.json:
        report = {
            "added": [e.id for e in changes.added],
            "removed": [e.id for e in changes.removed],
            "changed": changes.changed,
        }
        print(json.dumps(report, indent=2))
    else:
        for entry in changes.added:
            rating = entry.rating.level
            print(f"+ {entry.id} ({entry.category}, risk {rating}): {', '.join(entry.hosts)}")
        for entry in changes.removed:
            print(f"- {entry.id}: {', '.join(entry.hosts)} would no longer be recognised")
        for app_id, lines in changes.changed.items():
            print(f"~ {app_id}")
            for line in lines:
                print(f"    {line}")
        if not changes:
            print("no change")
    return 1 if changes else 0
