"""mitmproxy glue: thin addons that hand each flow to the Warden engine and act on its answer.

Each addon does one job and leaves its result in flow.metadata under a "warden." key:

    warden.identity        Identity           who sent it (identity.py)
    warden.app             CatalogEntry       which AI app or provider it goes to (classify.py)
    warden.request         NormalizedRequest  what it asks (inspect.py)
    warden.body            bytes              the decoded request body (inspect.py)
    warden.rejected        dict               why inspection refused it (inspect.py)
    warden.findings        ScanResult         what DLP found (dlp.py)
    warden.unscanned       str                DLP failed open: forwarded unscanned (dlp.py)
    warden.decision        Decision           what the policy said (policy.py)
    warden.policy_context  PolicyContext      the facts it decided on (policy.py)
    warden.redaction       dict               counts of what was replaced (redact.py)
    warden.restoring       bool               placeholders are restored in the answer (redact.py)
    warden.sent_segments   list               the text that actually left, for capture (sent.py)
    warden.usage           Usage              tokens and cost once the answer is complete (usage.py)
    warden.alert_ids       list[str]          alerts this request raised (alerts.py)
    warden.response_filters  list             who reads or rewrites the answer (stream.py)

Response filters are registered in the request phase; StreamAddon runs first (stream.py).
"""

from __future__ import annotations

__all__ = ["make_addons", "make_stages"]


def make_addons() -> list[object]:
    """What the runner registers with mitmproxy: the stages as one addon (see pipeline.py)."""
    from addons.pipeline import WardenPipeline

    return [WardenPipeline(make_stages())]


def make_stages() -> list[object]:
    """Warden's stages in the order the hooks must run."""
    from addons.alerts import AlertsAddon
    from addons.audit import AuditAddon
    from addons.classify import ClassifyAddon
    from addons.dlp import DlpScanAddon
    from addons.dlp_websocket import DlpWebSocketAddon
    from addons.health import HealthAddon
    from addons.identity import IdentityAddon
    from addons.inspect import InspectAddon
    from addons.limits import LimitsAddon
    from addons.metrics import MetricsAddon
    from addons.pac import PacAddon
    from addons.policy import PolicyAddon
    from addons.redact import RedactAddon
    from addons.runtime import RuntimeAddon
    from addons.stream import StreamAddon
    from addons.trailing_dot import TrailingDotAddon
    from addons.usage import UsageAddon

    runtime = RuntimeAddon()
    identity = IdentityAddon(runtime)
    audit = AuditAddon(runtime, identity)
    dlp = DlpScanAddon(runtime)
    alerts = AlertsAddon(runtime)
    audit.on_user_purged(alerts.forget_user)  # a purge must not leave an open alert to repeat
    return [
        runtime,
        # First, so a buffered answer is filtered before any other addon's response hook;
        # response filters must therefore be registered in the request phase (see stream.py).
        StreamAddon(),
        PacAddon(runtime),  # before identity: devices fetch the PAC file without credentials
        health := HealthAddon(runtime, audit, dlp.engine),  # monitors ask without credentials
        MetricsAddon(health),  # /metrics (opt-in); counts each AI request when it is done
        identity,
        TrailingDotAddon(),  # "api.openai.com." is api.openai.com, for classify and upstream
        ClassifyAddon(runtime, audit),
        InspectAddon(runtime),
        # After classify and inspect: reserves body bytes for AI requests not yet refused.
        LimitsAddon(runtime),
        dlp,  # findings must exist before the policy decides
        PolicyAddon(runtime),
        RedactAddon(),  # applies the decision's redactions after the policy decided
        DlpWebSocketAddon(runtime, dlp.engine),  # WebSocket messages: scan, decide, redact
        UsageAddon(runtime),  # usage on the flow before any response hook reads it
        alerts,  # alert ids on the flow before audit writes the event
        audit,
    ]
