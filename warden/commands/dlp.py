"""`warden dlp scan`: find secrets and personal data in a text, as the proxy would.

Uses the proxy's own scanner and redactor with the policy's dlp settings, and the salt from
the data directory (so value hashes match the proxy's audit log).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from warden.commands.paths import DEFAULT_POLICY, existing


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    dlp = sub.add_parser("dlp", help="scan text for secrets and personal data")
    actions = dlp.add_subparsers(required=True, metavar="ACTION")
    scan = actions.add_parser("scan", help="print what DLP finds in a file or stdin")
    scan.add_argument("file", nargs="?", default="-", help="a text file, or - for stdin")
    scan.add_argument("--redact", action="store_true", help="print the redacted text instead")
    scan.add_argument(
        "--style",
        choices=("mask", "placeholder"),
        default="mask",
        help="with --redact: [REDACTED:TYPE] or <TYPE_1>",
    )
    scan.add_argument("--policy", type=Path, default=None, help=f"default: {DEFAULT_POLICY}")
    scan.add_argument("--data-dir", type=Path, default=Path("data"), help="where the salt is")
    scan.add_argument("--json", action="store_true", help="with --redact: text and findings")
    scan.set_defaults(func=_scan)


def _scan(args: argparse.Namespace) -> int:
    from warden.dlp.fingerprint import load_salt
    from warden.dlp.redactor import redact
    from warden.dlp.scanner import Scanner
    from warden.dlp.types import RedactionSpec, RedactionStyle
    from warden.policy import load_policy
    from warden.policy.model import DlpPolicy
    from warden.schemas.normalized import EndpointKind, NormalizedRequest, Segment

    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    text = data.decode("utf-8", "replace")
    path = existing(args.policy, DEFAULT_POLICY)
    settings = load_policy(path).dlp if path else DlpPolicy()
    scanner = Scanner(settings, salt=load_salt(args.data_dir))
    request = NormalizedRequest(
        "cli", "text", EndpointKind.OTHER, segments=[Segment(("body",), text)], body_format="text"
    )
    result = scanner.scan(request)
    if not args.redact:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    spec = RedactionSpec(style=RedactionStyle(args.style))
    redaction = redact(
        text.encode("utf-8"), request, result.findings, [spec], content_type="text/plain"
    )
    redacted = redaction.body.decode("utf-8")
    if args.json:
        out = {"text": redacted, "redaction": redaction.summary(), **result.to_dict()}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(redacted)
    return 0
