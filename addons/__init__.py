"""mitmproxy glue: thin addons that hand each flow to the Warden engine and act on its answer.

Each addon does one job and leaves its result on the flow's Exchange (exchange.py): who sent
the request, where it goes, what it asks, what DLP found, what the policy decided, the quota
reserved for it, and, from any stage, why it was refused (refuse.py, the one place a request
is refused).

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
    from addons.refuse import Departure
    from addons.runtime import RuntimeAddon
    from addons.state import StateAddon
    from addons.stream import StreamAddon
    from addons.trailing_dot import TrailingDotAddon
    from addons.usage import UsageAddon

    runtime = RuntimeAddon()
    identity = IdentityAddon(runtime)
    audit = AuditAddon(runtime, identity)
    dlp = DlpScanAddon(runtime)
    state = StateAddon()
    alerts = AlertsAddon(runtime, state)  # alert windows in Redis too, with `--state`
    policy = PolicyAddon(runtime, state)
    audit.on_user_purged(alerts.forget_user)  # a purge must not leave an open alert to repeat
    return [
        runtime,
        state,  # before the policy: its running() opens the store the policy counts in
        # First, so a buffered answer is filtered before any other addon's response hook;
        # response filters must therefore be registered in the request phase (see stream.py).
        StreamAddon(),
        PacAddon(runtime),  # before identity: devices fetch the PAC file without credentials
        health := HealthAddon(
            runtime, audit, dlp.engine, alerts, state
        ),  # monitors ask without credentials
        MetricsAddon(health),  # /metrics (opt-in); counts each AI request when it is done
        identity,
        TrailingDotAddon(),  # "api.openai.com." is api.openai.com, for classify and upstream
        ClassifyAddon(runtime, audit),
        InspectAddon(runtime),
        # After classify and inspect: reserves body bytes for AI requests not yet refused.
        LimitsAddon(runtime),
        dlp,  # findings must exist before the policy decides
        policy,
        RedactAddon(),  # applies the decision's redactions after the policy decided
        # WebSocket messages: scan, decide, redact, and count against the policy's quotas.
        DlpWebSocketAddon(runtime, dlp.engine, policy.quotas),
        UsageAddon(runtime),  # usage on the flow before any response hook reads it
        alerts,  # alert ids on the flow before audit writes the event
        audit,  # journals the request before it leaves, or refuses it if it cannot
        Departure(),  # last: what is still unanswered leaves now, and its quota is used
    ]
