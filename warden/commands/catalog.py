"""`warden catalog`: list the AI catalog or look hosts up in it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from warden.catalog import Catalog


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cat = sub.add_parser("catalog", help="look up hosts in the AI catalog")
    cat.add_argument("hosts", nargs="*", help="hosts to look up; none lists the catalog")
    cat.add_argument("--catalog", type=Path, action="append", default=[])
    cat.add_argument("--json", action="store_true")
    cat.set_defaults(func=_catalog)


def _catalog(args: argparse.Namespace) -> int:
    catalog = Catalog.default(*args.catalog)
    pairs = (
        [(host, catalog.lookup(host)) for host in args.hosts]
        if args.hosts
        else [(None, entry) for entry in catalog.entries]
    )
    rows: list[dict[str, object]] = []
    for host, entry in pairs:
        row: dict[str, object] = {"host": host} if host else {}
        if entry is None:
            row["match"] = None
        else:
            row.update(
                id=entry.id,
                name=entry.name,
                kind=str(entry.kind),
                schema=entry.schema,
                sanctioned=str(entry.sanctioned),
                hosts=list(entry.hosts),
            )
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            prefix = f"{row['host']}: " if "host" in row else ""
            if "id" not in row:
                print(f"{prefix}not an AI host (tunnelled, not decrypted)")
            else:
                hosts = ", ".join(row["hosts"])  # type: ignore[arg-type]
                print(
                    f"{prefix}{row['id']:<22} {row['kind']:<9} {row['schema']:<18} "
                    f"{row['sanctioned']:<12} {hosts}"
                )
    return 0 if all("id" in row for row in rows) else 1
