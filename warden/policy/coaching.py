"""Coaching: the page that explains a risk, its signed "continue" form, and the passes it grants.

A person who continues gets a pass for that app and rule for `coach.pass_minutes`. The proxy
keeps passes in the state database (warden/state/passes.py), so a restart or another Warden
process on the machine honours them, and signs forms with a key kept in the data directory,
so a form served by one process is accepted by another. Tests and `warden policy test` keep
both in memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import time
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "CONTINUE_PATH",
    "KEY_ENV",
    "KEY_FILE",
    "CoachPasses",
    "CoachTicket",
    "InMemoryPasses",
    "PassStore",
    "render_coach_page",
]

# Served by Warden on the AI host itself, so the browser's form post goes through the proxy
# and never reaches the provider.
CONTINUE_PATH = "/.warden/coach/continue"
# The signing key: the environment variable (any string; every instance of a fleet sets the
# same one), else the file in the data directory (warden/secret_file.py).
KEY_ENV = "WARDEN_COACH_KEY"
KEY_FILE = "coach-key"
TICKET_TTL_S = 15 * 60
MAX_JUSTIFICATION = 1000


@dataclass(frozen=True, slots=True)
class CoachTicket:
    """What a continue form vouches for: this user may continue to this URL under this rule."""

    user: str
    app: str
    rule_id: str
    url: str
    expires: float


class PassStore(Protocol):
    """Where granted passes are kept: (user, app, rule) -> when the pass ends."""

    def expires(self, user: str, app: str, rule_id: str) -> float | None: ...

    def grant(self, user: str, app: str, rule_id: str, expires: float) -> None: ...


@dataclass
class InMemoryPasses:
    _passes: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def expires(self, user: str, app: str, rule_id: str) -> float | None:
        return self._passes.get((user, app, rule_id))

    def grant(self, user: str, app: str, rule_id: str, expires: float) -> None:
        self._passes[(user, app, rule_id)] = expires


@dataclass
class CoachPasses:
    _key: bytes = field(default_factory=lambda: os.urandom(32))
    store: PassStore = field(default_factory=InMemoryPasses)

    def has_pass(self, user: str, app: str, rule_id: str, now: float | None = None) -> bool:
        expires = self.store.expires(user, app, rule_id)
        return expires is not None and expires > (now or time.time())

    def grant(self, ticket: CoachTicket, minutes: int, now: float | None = None) -> float:
        expires = (now or time.time()) + minutes * 60
        self.store.grant(ticket.user, ticket.app, ticket.rule_id, expires)
        return expires

    def sign(self, ticket: CoachTicket) -> str:
        payload = json.dumps(
            [ticket.user, ticket.app, ticket.rule_id, ticket.url, ticket.expires],
            separators=(",", ":"),
        ).encode()
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()
        return _b64(payload) + "." + _b64(mac)

    def verify(self, token: str, now: float | None = None) -> CoachTicket | None:
        """The ticket if the token is ours, untampered and unexpired; None otherwise."""
        try:
            payload_b64, mac_b64 = token.split(".", 1)
            payload = _unb64(payload_b64)
            mac = _unb64(mac_b64)
        except ValueError:
            return None
        if not hmac.compare_digest(mac, hmac.new(self._key, payload, hashlib.sha256).digest()):
            return None
        user, app, rule_id, url, expires = json.loads(payload)
        if expires < (now or time.time()):
            return None
        return CoachTicket(user, app, rule_id, url, expires)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as e:
        raise ValueError("bad token") from e


def render_coach_page(message: str, app_name: str, token: str) -> bytes:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Before you use {html.escape(app_name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; background: #f6f7f9; color: #1d2330; }}
main {{ max-width: 40rem; margin: 10vh auto; background: #fff; padding: 2rem 2.5rem;
       border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.4rem; margin-top: 0; }}
.why {{ background: #eef5ff; padding: .8rem 1rem; border-left: 4px solid #3b7ddd; }}
textarea {{ width: 100%; min-height: 5rem; font: inherit; }}
button {{ margin-top: 1rem; padding: .6rem 1.2rem; font: inherit; }}
</style></head>
<body><main>
<h1>Before you use {html.escape(app_name)}</h1>
<p class="why">{html.escape(message)}</p>
<form method="post" action="{CONTINUE_PATH}">
<input type="hidden" name="token" value="{html.escape(token)}">
<label for="justification">Why do you need it for this task? (recorded for your
security team)</label>
<textarea id="justification" name="justification" required maxlength="{MAX_JUSTIFICATION}">
</textarea>
<button type="submit">Continue</button>
</form>
</main></body></html>
""".encode()
