"""`warden alerts test | list | ack | resolve | reopen`: try the sinks, read and triage alerts."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from warden.alerts.alert import Alert, AlertState, iso
from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Subject
from warden.alerts.sinks import DeliveryError, Notice, Sink, build_sinks
from warden.alerts.store import AlertView, UnknownAlert, change_state
from warden.commands.paths import DEFAULT_POLICY, existing
from warden.errors import ConfigError
from warden.policy import load_policy
from warden.state import open_state
from warden.state.alerts import SqliteAlertStore
from warden.state.db import state_path

STATE_ACTIONS = {
    "ack": AlertState.ACKNOWLEDGED,
    "resolve": AlertState.RESOLVED,
    "reopen": AlertState.OPEN,
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    alerts = sub.add_parser("alerts", help="test alert sinks, list and triage alerts")
    actions = alerts.add_subparsers(required=True, metavar="ACTION")

    test = actions.add_parser(
        "test", help="send a test alert to each configured sink (exit 1 if any fails)"
    )
    test.add_argument("--policy", type=Path, default=None, help=f"default: {DEFAULT_POLICY}")
    test.add_argument("--sink", action="append", default=[], help="only these sinks")
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=_test)

    listing = actions.add_parser("list", help="alerts in the store, newest first")
    listing.add_argument("--data-dir", type=Path, default=Path("data"))
    listing.add_argument("--state", choices=[s.value for s in AlertState], default=None)
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_list)

    for name, state in STATE_ACTIONS.items():
        change = actions.add_parser(name, help=f"mark an alert {state.value}")
        change.add_argument("alert_id")
        change.add_argument("--by", required=True, help="who is doing it (recorded)")
        change.add_argument("--note", default="")
        change.add_argument("--data-dir", type=Path, default=Path("data"))
        change.set_defaults(func=_change, state=state)


def test_alert() -> Alert:
    """A harmless alert that looks like a real one, with a made-up masked preview."""
    now = time.time()
    return Alert(
        id=f"test-{uuid.uuid4().hex[:12]}",
        rule="warden-alerts-test",
        dedupe_key="test",
        severity=Severity.LOW,
        title="Test alert from Egress Warden",
        detector="test",
        category="system",
        score=1.0,
        reasons=(Reason("test", "sent by `warden alerts test`; nothing happened"),),
        evidence=(Evidence("OPENAI_API_KEY", "sk-pr...XyZ", "0" * 32),),
        subject=Subject(user="warden-test", app="openai", app_name="OpenAI", host="example"),
        sinks=(),
        first_seen=now,
        last_seen=now,
        window_ends=now,
        test=True,
    )


def _send(sink: Sink, notice: Notice) -> tuple[bool, str, float]:
    start = time.perf_counter()
    try:
        sink.send(notice)
    except DeliveryError as e:
        return False, str(e), time.perf_counter() - start
    except Exception as e:  # report a sink bug as a failure, not a traceback
        return False, f"{type(e).__name__}: {e}", time.perf_counter() - start
    return True, "", time.perf_counter() - start


def _test(args: argparse.Namespace) -> int:
    path = existing(args.policy, DEFAULT_POLICY)
    if path is None:
        raise ConfigError(f"no policy file: give --policy or create {DEFAULT_POLICY}")
    policy = load_policy(path)
    configs = policy.alerts.sinks
    unknown = [name for name in args.sink if name not in configs]
    if unknown:
        raise ConfigError(f"{path}: no sink named {', '.join(unknown)} in alerts.sinks")
    if args.sink:
        configs = {name: configs[name] for name in args.sink}
    if not configs:
        print(f"{path}: no sinks configured under alerts.sinks; nothing to test", file=sys.stderr)
        return 1
    sinks = build_sinks(configs)
    notice = Notice("test", test_alert().to_dict())
    # One attempt each, all at once: a sink that times out does not hold up the others.
    with ThreadPoolExecutor(max_workers=min(8, len(sinks))) as pool:
        futures = {name: pool.submit(_send, sink, notice) for name, sink in sinks.items()}
        results = {name: future.result() for name, future in futures.items()}
    if args.json:
        out = [
            {
                "sink": name,
                "type": configs[name].type,
                "ok": ok,
                "error": error or None,
                "ms": round(elapsed * 1000, 1),
            }
            for name, (ok, error, elapsed) in results.items()
        ]
        print(json.dumps(out, indent=2))
    else:
        for name, (ok, error, elapsed) in results.items():
            kind = configs[name].type
            if ok:
                print(f"ok      {name} ({kind}) in {elapsed * 1000:.0f} ms")
            else:
                print(f"FAILED  {name} ({kind}): {error}")
    return 0 if all(ok for ok, _, _ in results.values()) else 1


def _store(data_dir: Path) -> SqliteAlertStore:
    if not state_path(data_dir).exists() and not (data_dir / "alerts").is_dir():
        raise ConfigError(f"{data_dir}: no alert store here (is --data-dir right?)")
    return SqliteAlertStore(open_state(data_dir))


def _list(args: argparse.Namespace) -> int:
    store = _store(args.data_dir)
    state = AlertState(args.state) if args.state else None
    views = store.alerts(state=state, limit=args.limit)
    if args.json:
        print(json.dumps([v.to_dict() for v in views], indent=2))
        return 0
    if not views:
        print("no alerts" + (f" in state {state.value}" if state else ""))
        return 0
    for view in views:
        print(_line(view))
    return 0


def _line(view: AlertView) -> str:
    a = view.alert
    when = datetime.fromtimestamp(a.get("last_seen") or 0, UTC).strftime("%Y-%m-%d %H:%M:%S")
    delivered = ", ".join(f"{d['sink']}:{d['state']}" for d in view.deliveries) or "stored only"
    count = f" x{a['count']}" if a.get("count", 1) > 1 else ""
    state = view.state.value + (f" by {view.state_by}" if view.state_by else "")
    return (
        f"{a['id'][:12]}  {when}  {str(a['severity']).upper():8} {a['title']}{count}  "
        f"user={a['user']} app={a.get('app') or '-'}  [{state}]  ({delivered})"
    )


def _change(args: argparse.Namespace) -> int:
    store = _store(args.data_dir)
    matches = [v.id for v in store.alerts() if v.id.startswith(args.alert_id)]
    if len(matches) != 1:
        problem = "no alert" if not matches else f"{len(matches)} alerts"
        print(f"warden: {problem} with an id starting {args.alert_id!r}", file=sys.stderr)
        return 1
    try:
        change = change_state(store, matches[0], args.state, args.by, args.note)
    except (UnknownAlert, ValueError) as e:
        print(f"warden: {e}", file=sys.stderr)
        return 1
    print(f"{change.alert_id}: {change.state.value} by {change.who} at {iso(change.at)}")
    return 0
