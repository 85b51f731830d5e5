"""Signals and subjects built from what the proxy knows about a request (identity, app,
policy decision, DLP status), so the addon stays glue and this stays testable."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from warden.alerts.severity import Severity
from warden.alerts.signal import Evidence, Reason, Signal, Subject
from warden.catalog import CatalogEntry
from warden.dlp.entities import SECRET_ENTITIES
from warden.dlp.types import Finding
from warden.identity import Identity
from warden.policy.evaluator import Decision

__all__ = ["evasion_signal", "policy_signal", "subject_for", "unscanned_signal"]


def subject_for(
    identity: Identity | None,
    entry: CatalogEntry | None,
    *,
    host: str | None = None,
    model: str | None = None,
    event_id: str | None = None,
    decision: Decision | None = None,
    client_ip: str | None = None,
) -> Subject:
    return Subject(
        user=identity.user if identity else "anonymous",
        groups=tuple(identity.groups) if identity else (),
        device=identity.device if identity else None,
        client_ip=(identity.client_ip if identity else None) or client_ip,
        app=entry.id if entry else None,
        app_name=entry.name if entry else None,
        vendor=entry.vendor if entry else None,
        host=host,
        model=model,
        event_id=event_id,
        action=decision.action.value if decision else None,
        rule_id=decision.rule_id if decision else None,
    )


def policy_signal(decision: Decision, findings: Sequence[Finding] = ()) -> Signal | None:
    """A policy rule's `alert: {severity, title}` as a signal; secrets shown masked."""
    spec = decision.alert
    if spec is None:
        return None
    rule = decision.rule_id or "default"
    secrets = [f for f in findings if f.entity_type in SECRET_ENTITIES]
    seen: dict[tuple[str, str], Finding] = {}
    for f in secrets:
        seen.setdefault((f.entity_type, f.value_hash), f)
    counts = Counter((f.entity_type, f.value_hash) for f in secrets)
    evidence = tuple(
        Evidence(kind, f.preview, digest, counts[(kind, digest)])
        for (kind, digest), f in seen.items()
    )
    others = Counter(f.entity_type for f in findings if f.entity_type not in SECRET_ENTITIES)
    evidence += tuple(Evidence(kind, count=n) for kind, n in others.most_common())
    return Signal(
        "policy",
        1.0,
        Severity.of(spec.severity),
        (Reason("policy_rule", f"policy rule {rule} decided {decision.action.value}"),),
        evidence,
        title=spec.title or f"Policy rule {rule}: {decision.action.value}",
    )


def unscanned_signal(why: str = "") -> Signal:
    # Fixed text on purpose: an analyzer's error message could quote the prompt.
    if why.startswith("unreadable"):
        reason = Reason(
            "unreadable_content",
            "forwarded with a file or payload Warden could not read (dlp.unreadable: monitor)",
        )
        title = "Request forwarded with content Warden could not read"
    else:
        reason = Reason("dlp_failed_open", "forwarded without a DLP scan (the policy fails open)")
        title = "Request forwarded without a DLP scan"
    return Signal("unscanned", 1.0, Severity.HIGH, (reason,), title=title)


def evasion_signal(names: str) -> Signal:
    """A flow whose names lead to different places: `names` lists them (host names only)."""
    return Signal(
        "evasion",
        0.9,
        Severity.HIGH,
        (
            Reason(
                "names_disagree",
                f"the connection's names lead to different apps ({names}); normal clients "
                "send one name everywhere",
            ),
        ),
        title="Connection names disagree (possible attempt to evade inspection)",
    )
