"""`warden logs`: read, export and purge the audit log, also while the proxy is writing it.

A purge of one person also removes the alerts about them (warden/alerts/store.py).
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from warden.errors import ConfigError
from warden.privacy import count_records, purge_person
from warden.store import reader
from warden.store.sql import literal

_EXPORT_FORMATS = {
    "csv": "FORMAT CSV, HEADER",
    "jsonl": "FORMAT JSON",  # newline-delimited: one event per line
    "parquet": "FORMAT PARQUET, COMPRESSION ZSTD",
}
_CELL_WIDTH = 48
_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    logs = sub.add_parser("logs", help="read, export or purge the audit log")
    actions = logs.add_subparsers(required=True, metavar="ACTION")

    tail = actions.add_parser("tail", help="show the latest events")
    tail.add_argument("-n", type=int, default=20, help="how many (default 20)")
    tail.add_argument("-f", "--follow", action="store_true", help="keep showing new events")
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.set_defaults(func=_tail)

    query = actions.add_parser("query", help="run SQL against the `events` view")
    query.add_argument("sql", help='e.g. "SELECT user, count(*) FROM events GROUP BY user"')
    query.add_argument("--json", action="store_true", help="a JSON array instead of a table")
    query.set_defaults(func=_query)

    export = actions.add_parser("export", help="write events to CSV, JSON lines or Parquet")
    export.add_argument("--format", choices=sorted(_EXPORT_FORMATS), required=True)
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--since", help="ISO date/time (UTC) or age such as 7d, 12h")
    export.add_argument("--until", help="ISO date/time (UTC) or age such as 1d")
    export.set_defaults(func=_export)

    purge = actions.add_parser("purge", help="remove every event of one user (privacy request)")
    purge.add_argument("--user", required=True)
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.add_argument("--actor", default=None, help="who asked, recorded (default: you)")
    purge.set_defaults(func=_purge)

    for parser in (tail, query, export, purge):
        parser.add_argument("--data-dir", type=Path, default=Path("data"))


def _tail(args: argparse.Namespace) -> int:
    con = reader.connect(args.data_dir)
    rows = reader.rows_as_dicts(
        con.execute(
            "SELECT * FROM (SELECT * FROM events ORDER BY seq DESC LIMIT ?) ORDER BY seq",
            [max(args.n, 0)],
        )
    )
    last = _show(rows, args.json, rows[-1]["seq"] if rows else 0)
    if not args.follow:
        return 0
    try:
        while True:
            time.sleep(1.0)
            reader.refresh(con, args.data_dir)
            rows = reader.rows_as_dicts(
                con.execute("SELECT * FROM events WHERE seq > ? ORDER BY seq", [last])
            )
            last = _show(rows, args.json, last)
    except KeyboardInterrupt:
        return 0


def _show(rows: list[dict[str, Any]], as_json: bool, last: int) -> int:
    for row in rows:
        print(json.dumps(row, default=str) if as_json else _line(row), flush=True)
        last = max(last, int(row["seq"]))
    return last


def _line(row: dict[str, Any]) -> str:
    when = str(row["time"] or "")[:19].replace("T", " ")
    kind = row["type"]
    if kind == "admin":
        return f"{when}  admin    {row['actor']}  {row['action']}  {json.dumps(row['details'])}"
    who = row["user"] or "-"
    if kind == "visit":
        return f"{when}  visit    {who}  {row['app']}  {row['host']}  (not decrypted)"
    tokens = ""
    if row["input_tokens"] is not None:
        mark = "~" if row["usage_source"] == "estimated" else ""
        tokens = f"  tokens {mark}{row['input_tokens']}/{mark}{row['output_tokens']}"
    cost = f"  ${row['cost_usd']:.6f}" if row["cost_usd"] is not None else ""
    rule = f" ({row['rule_id']})" if row["rule_id"] else ""
    return (
        f"{when}  request  {who}  {row['app']}  {row['model'] or '-'}  "
        f"{row['status'] if row['status'] is not None else '-'}  {row['action'] or '-'}{rule}"
        f"{tokens}{cost}"
    )


def _query(args: argparse.Namespace) -> int:
    con = reader.connect(args.data_dir)
    try:
        result = con.execute(args.sql)
    except duckdb.Error as e:
        print(f"warden logs query: {e}", file=sys.stderr)
        return 1
    if result.description is None:
        return 0
    rows = reader.rows_as_dicts(result)
    if args.json:
        print(json.dumps(rows, default=str, indent=1))
    else:
        columns = [d[0] for d in result.description]
        print(_table(columns, rows))
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return 0


def _table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]

    def fmt(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [fmt(columns), fmt(["-" * w for w in widths])]
    lines += [fmt(line) for line in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("\n", " ")
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"


def _export(args: argparse.Namespace) -> int:
    conditions = ["true"]
    for bound, op in ((args.since, ">="), (args.until, "<")):
        if bound:
            stamp = _moment(bound).replace(tzinfo=None).isoformat(sep=" ")
            conditions.append(f"time {op} TIMESTAMP {literal(stamp)}")
    where = " AND ".join(conditions)
    con = reader.connect(args.data_dir)
    (count,) = con.execute(f"SELECT count(*) FROM events WHERE {where}").fetchone() or (0,)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT * FROM events WHERE {where} ORDER BY seq) "
        f"TO {literal(str(args.out))} ({_EXPORT_FORMATS[args.format]})"
    )
    print(f"{args.out}: {count} events ({args.format})")
    return 0


def _moment(value: str) -> datetime:
    """An ISO date or time (UTC unless it says otherwise), or an age such as 7d."""
    m = _RELATIVE.match(value.strip())
    if m:
        return datetime.now(UTC) - timedelta(**{_UNITS[m[2]]: int(m[1])})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as e:
        raise ConfigError(f"{value!r}: not an ISO date/time or an age like 7d or 12h") from e
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _purge(args: argparse.Namespace) -> int:
    actor = args.actor or getpass.getuser()
    found = count_records(args.data_dir, args.user)
    if not args.yes:
        if not sys.stdin.isatty():
            print("warden logs purge: add --yes to purge without a terminal", file=sys.stderr)
            return 1
        question = (
            f"Remove all {found.events} events and {found.alerts} alerts of user "
            f"{args.user!r}? This cannot be undone."
        )
        answer = input(f"{question} [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return 1
    done = purge_person(args.data_dir, args.user, actor)
    if not done.ok:
        print(
            f"warden logs purge: {done.error} ({done.alerts_removed} alerts were removed)",
            file=sys.stderr,
        )
        return 1
    print(
        f"removed {done.events_removed} events of user {args.user!r} "
        f"({done.segments_rewritten} segments rewritten) and {done.alerts_removed} alerts "
        f"about them; recorded as done by {actor}"
    )
    return 0
