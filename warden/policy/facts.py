"""Gather the facts a policy matches on, the same way for the proxy and for dry runs."""

from __future__ import annotations

from datetime import datetime

from warden.catalog import CatalogEntry
from warden.dlp.types import Finding
from warden.identity import Identity
from warden.policy.context import PolicyContext
from warden.policy.model import Policy
from warden.schemas.normalized import NormalizedRequest
from warden.usage.tokens import count_tokens

__all__ = ["build_context", "prompt_text"]


def prompt_text(request: NormalizedRequest) -> str:
    return "\n".join(segment.text for segment in request.segments)


def build_context(
    policy: Policy,
    identity: Identity,
    entry: CatalogEntry | None,
    host: str,
    request: NormalizedRequest,
    findings: tuple[Finding, ...] = (),
    *,
    count_prompt_tokens: bool = False,
    now: datetime | None = None,
) -> PolicyContext:
    text = prompt_text(request)
    tokens = count_tokens(text, request.model).tokens if count_prompt_tokens else None
    sanctioned = None
    if entry is not None:
        sanctioned = str(policy.sanctioned.get(entry.id, entry.sanctioned))
    return PolicyContext(
        user=identity.user,
        groups=identity.groups,
        client_ip=identity.client_ip,
        app=entry.id if entry else None,
        vendor=entry.vendor if entry else None,
        kind=str(entry.kind) if entry else None,
        category=str(entry.category) if entry else None,
        risk=str(entry.rating.level) if entry else None,
        sanctioned=sanctioned,
        host=host,
        endpoint=str(request.endpoint),
        model=request.model,
        prompt_tokens=tokens,
        prompt_bytes=len(text.encode("utf-8", "surrogatepass")),
        attachments=request.attachments,
        findings=findings,
        now=now,
    )
