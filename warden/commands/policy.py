"""`warden policy check` and `warden policy test`: validate policies and dry-run requests."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from warden.catalog import Catalog
from warden.catalog.loader import read_catalog_file
from warden.errors import ConfigError, RequestRejected
from warden.identity import Identity, IdentityResolver, load_identity_config
from warden.policy import load_policy
from warden.policy.dryrun import DryRun, dry_run
from warden.strict_yaml import read_yaml_document
from warden.yamlfile import read_text_file


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    policy = sub.add_parser("policy", help="validate policies and dry-run requests")
    actions = policy.add_subparsers(required=True, metavar="ACTION")

    check = actions.add_parser(
        "check", help="validate policy, identity and catalog files (exit 1 on any error)"
    )
    check.add_argument("files", nargs="+", type=Path)
    check.set_defaults(func=_check)

    test = actions.add_parser("test", help="decide one request as the proxy would")
    test.add_argument("file", type=Path)
    test.add_argument("--user", default="anonymous")
    test.add_argument("--groups", default="", help="comma-separated; added to the identity's")
    test.add_argument("--source-ip", default=None)
    test.add_argument("--identity", type=Path, default=None, help="identity file for groups")
    test.add_argument("--host", required=True, help="e.g. api.openai.com or chatgpt.com")
    test.add_argument("--model", default=None)
    what = test.add_mutually_exclusive_group(required=True)
    what.add_argument("--prompt", help="the prompt text")
    what.add_argument("--request", type=Path, help="a JSON request body in the host's format")
    test.add_argument("--path", default="/v1/chat/completions", help="with --request")
    test.add_argument("--at", default=None, help="ISO time to decide at (time windows)")
    test.add_argument("--catalog", type=Path, action="append", default=[])
    test.add_argument("--no-dlp", action="store_true", help="skip the DLP scan")
    test.add_argument(
        "--data-dir", type=Path, default=Path("data"), help="for the DLP salt, so hashes match"
    )
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=_test)


def _check(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            kind = _kind_of(path)
            if kind == "identity":
                load_identity_config(path)
                print(f"{path}: ok (identity file)")
                continue
            if kind == "catalog":
                entries = read_catalog_file(path)
                print(f"{path}: ok (catalog file, {len(entries)} apps)")
                continue
            policy = load_policy(path)
        except ConfigError as e:
            print(f"{e}", file=sys.stderr)
            failed += 1
            continue
        print(
            f"{path}: ok ({len(policy.rules)} rules, {len(policy.models)} model lists, "
            f"{len(policy.quotas)} quotas, default {policy.default_action.value})"
        )
    return 1 if failed else 0


def _kind_of(path: Path) -> str:
    """policies/ also holds identity.yaml, and sites keep catalog files beside their
    policies: check each as what it is rather than fail it as a policy."""
    try:
        keys = read_yaml_document(read_text_file(path), str(path)).data.keys()
    except ConfigError:
        return "policy"  # load_policy reports the problem with its position
    if {"sources", "proxy_auth", "network"} & keys:
        return "identity"
    return "catalog" if "apps" in keys else "policy"


def _test(args: argparse.Namespace) -> int:
    policy = load_policy(args.file)
    identity = _identity(args)
    now = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    body = args.request.read_bytes() if args.request else None
    scan = None if args.no_dlp or not policy.dlp.enabled else _scanner(policy, args.data_dir)
    try:
        run = dry_run(
            policy,
            Catalog.default(*args.catalog),
            identity,
            args.host,
            prompt=args.prompt,
            model=args.model,
            body=body,
            path=args.path,
            now=now,
            scan=scan,
        )
    except RequestRejected as e:
        print(f"warden: the proxy would refuse this request before policy: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(run.to_dict(), indent=2))
    else:
        print(_render(run))
    return 0


def _identity(args: argparse.Namespace) -> Identity:
    groups = {g.strip() for g in args.groups.split(",") if g.strip()}
    if args.identity:
        resolved = IdentityResolver(load_identity_config(args.identity)).resolve(
            args.source_ip, args.user
        )
        groups |= set(resolved.groups)
    return Identity(args.user, tuple(sorted(groups)), None, "dry-run", args.source_ip)


def _scanner(policy, data_dir: Path):  # type: ignore[no-untyped-def]
    """The proxy's own DLP scanner, so a dry run sees the same findings and hashes."""
    from warden.dlp.fingerprint import SALT_FILE, load_salt
    from warden.dlp.scanner import Scanner

    # Only reuse an existing salt: a dry run must not create files in a data directory.
    salt = load_salt(data_dir) if (data_dir / SALT_FILE).exists() else None
    scanner = Scanner(policy.dlp, salt=salt)
    return lambda request: tuple(scanner.scan(request).findings)


def _render(run: DryRun) -> str:
    d, ctx = run.decision, run.context
    by = f"rule {d.rule_id}" if d.rule_id else "default_action"
    app = (
        f"{ctx.app} ({ctx.vendor}, {ctx.kind}, {ctx.category}, risk {ctx.risk}, {ctx.sanctioned})"
        if run.entry
        else "not an AI host"
    )
    status = f" -> HTTP {d.status}" if d.status != 200 else ""
    lines = [
        f"Decision : {d.action.value.upper()} by {by}{status}",
        f"Reason   : {d.reason}",
        f"Request  : user={ctx.user} groups={list(ctx.groups)} app={app}",
        f"           host={ctx.host} endpoint={ctx.endpoint} model={ctx.model} "
        f"tokens={ctx.prompt_tokens} bytes={ctx.prompt_bytes} attachments={ctx.attachments}",
    ]
    if ctx.findings:
        found = ", ".join(f"{f.entity_type} {f.preview} ({f.score:.2f})" for f in ctx.findings)
        lines.append(f"Findings : {found}")
    else:
        lines.append("Findings : none")
    for spec in d.redactions:
        lines.append(
            f"Redact   : {', '.join(sorted(spec.entities))} as {spec.style.value}"
            + (" (reversible)" if spec.reversible else "")
        )
    lines.append("Trace    :")
    for t in d.trace:
        mark = "MATCH" if t.matched else "  -  "
        lines.append(f"  {mark} {t.rule_id:<24} {t.why}")
    if not d.trace:
        lines.append("  (no rules)")
    quotas = run.to_dict()["quotas"]
    if quotas:
        lines.append(f"Quotas   : {', '.join(quotas)} apply (a dry run does not count)")  # type: ignore[arg-type]
    return "\n".join(lines)
