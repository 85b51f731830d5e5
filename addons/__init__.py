"""mitmproxy glue: thin addons that hand each flow to the Warden engine and act on its answer.

Each addon does one job and leaves its result in flow.metadata under a "warden." key:

    warden.identity   Identity        who sent it (identity.py)
    warden.app        CatalogEntry    which AI app or provider it goes to (classify.py)
    warden.request    NormalizedRequest  what it asks (inspect.py)
    warden.body       bytes           the decoded request body (inspect.py)
    warden.findings   ScanResult      what DLP found (dlp.py)
    warden.decision   Decision        what the policy said (policy.py)
    warden.usage      Usage           tokens and cost once the answer is complete (usage.py)
"""

from __future__ import annotations

__all__ = ["make_addons"]


def make_addons() -> list[object]:
    """The addon chain in the order the hooks must run."""
    from addons.audit import AuditAddon
    from addons.classify import ClassifyAddon
    from addons.identity import IdentityAddon
    from addons.inspect import InspectAddon
    from addons.pac import PacAddon
    from addons.policy import PolicyAddon
    from addons.runtime import RuntimeAddon
    from addons.stream import StreamAddon

    runtime = RuntimeAddon()
    audit = AuditAddon(runtime)
    return [
        runtime,
        PacAddon(runtime),  # before identity: devices fetch the PAC file without credentials
        IdentityAddon(runtime),
        ClassifyAddon(runtime, audit),
        InspectAddon(runtime),
        # [dlp scan] findings must exist before the policy decides
        PolicyAddon(runtime),
        # [redact] applies the decision's redactions after the policy decided
        # [usage] registers response filters before StreamAddon starts streaming
        StreamAddon(),
        audit,
    ]
