"""Attributes every flow to a user (proxy auth, trusted header or network) and answers 407.

Credentials are checked once per client connection (CONNECT), off the event loop, and the
Proxy-Authorization header is removed before anything is forwarded. An edit to the users
file (or the LDAP CA file) gives the runtime a new resolver with no remembered logins, so new
connections are checked afresh; a connection already open keeps the identity it started with.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import weakref

from mitmproxy import connection, http

from addons.exchange import exchange
from addons.headers import lowered
from addons.runtime import RuntimeAddon
from warden.identity import Identity, IdentityResolver
from warden.identity.resolver import AuthRequired

log = logging.getLogger("warden.identity")

PROXY_AUTH_HEADER = "Proxy-Authorization"


class IdentityAddon:
    def __init__(self, runtime: RuntimeAddon) -> None:
        self._runtime = runtime
        self._by_conn: weakref.WeakKeyDictionary[connection.Client, Identity] = (
            weakref.WeakKeyDictionary()
        )
        self._ldap_spec: str | None = None
        # Header names to strip, as mitmproxy stores them (bytes), for the current resolver.
        self._strip_names: tuple[IdentityResolver | None, frozenset[bytes]] = (None, frozenset())

    def identity_for(self, client: connection.Client) -> Identity | None:
        return self._by_conn.get(client)

    async def http_connect(self, flow: http.HTTPFlow) -> None:
        await self._attribute(flow)

    async def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response or exchange(flow).internal:
            return
        known = self._by_conn.get(flow.client_conn)
        if known is not None:
            exchange(flow).identity = known
            self._strip(flow, self._resolver())
            return
        await self._attribute(flow)

    async def _attribute(self, flow: http.HTTPFlow) -> None:
        resolver = self._resolver()
        user = await self._authenticated_user(flow, resolver)
        client_ip = flow.client_conn.peername[0] if flow.client_conn.peername else None
        try:
            identity = resolver.resolve(client_ip, user, lowered(flow.request.headers))
        except AuthRequired as e:
            log.info("407 for %s: %s", client_ip, e.reason)
            flow.response = _auth_required(resolver.config.proxy_auth.realm)
            exchange(flow).internal = "auth_required"
            return
        finally:
            self._strip(flow, resolver)
        exchange(flow).identity = identity
        # The identity of a CONNECT holds for every request inside the tunnel.
        self._by_conn[flow.client_conn] = identity

    async def _authenticated_user(
        self, flow: http.HTTPFlow, resolver: IdentityResolver
    ) -> str | None:
        header = flow.request.headers.get(PROXY_AUTH_HEADER)
        if not header:
            return None
        credentials = _parse_basic(header)
        if credentials is None:
            return None
        user, password = credentials
        if not resolver.auth_enabled:
            return None
        # bcrypt or an LDAP bind takes tens of milliseconds: never on the event loop.
        try:
            canonical = await asyncio.to_thread(resolver.check_credentials, user, password)
        except Exception as e:
            # The directory is down or the check broke: the login is refused (407 where auth
            # is required), never let through unchecked. The error names no password.
            log.warning("could not check proxy credentials for user %r: %s", user, e)
            return None
        if canonical is None:
            log.info("bad proxy credentials for user %r", user)
        return canonical

    def _resolver(self) -> IdentityResolver:
        return self._runtime.current().resolver

    def _strip(self, flow: http.HTTPFlow, resolver: IdentityResolver) -> None:
        if self._strip_names[0] is not resolver:
            listed = (PROXY_AUTH_HEADER, *resolver.identity_headers())
            self._strip_names = (resolver, frozenset(n.lower().encode() for n in listed))
        names = self._strip_names[1]
        # One pass over the raw fields: this runs on every request, and looking each name up
        # through the Headers mapping would scan the fields once per name.
        headers = flow.request.headers
        fields = headers.fields
        if any(name.lower() in names for name, _ in fields):
            headers.fields = tuple(f for f in fields if f[0].lower() not in names)


def _parse_basic(value: str) -> tuple[str, str] | None:
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep and user else None


def _auth_required(realm: str) -> http.Response:
    return http.Response.make(
        407,
        "Proxy authentication required: sign in with your company account.\n",
        {
            "Proxy-Authenticate": f'Basic realm="{realm}"',
            "Content-Type": "text/plain; charset=utf-8",
        },
    )
