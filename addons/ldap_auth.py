"""Proxy logins checked against an LDAP directory (Active Directory, OpenLDAP).

The spec is mitmproxy's proxyauth syntax, parsed by mitmproxy itself:
`ldap[s]:host[:port]:service-bind-dn:password:subtree[?search_filter_key=uid]`. The check is
the same as mitmproxy's: find the user under the subtree with the service account, then bind
as them with the password given. Its validator does not suit a proxy under load, so this one
differs where that matters:
- a wrong password is an answer (False), not an exception from the bind;
- the service connection is shared, so searches on it take turns (mitmproxy's threads could
  read each other's results and bind as someone else's DN);
- the directory being down is DirectoryUnavailable, which the caller turns into a refusal
  (407): a login is never let through unchecked. The connection is opened on first use and
  reopened after a failure, so Warden starts, and recovers, while the directory is away;
- a login is answered with the name the directory holds (the attribute the login matched,
  e.g. uid), not the typed one: the directory matches `ALICE` and `alice` alike, and Warden
  must then see one person, in the same groups and quotas;
- every network step has a timeout, so a hung directory cannot pile up worker threads;
- with ldaps the directory's certificate and name are checked (ldap3, and so mitmproxy's
  validator, accepts any certificate unless told otherwise), against `ca_file` or the
  system's trust store. Plain `ldap:` sends passwords in the clear, so it is logged as a
  warning.
"""

from __future__ import annotations

import logging
import ssl
import threading
from pathlib import Path

import ldap3
from ldap3.core import exceptions as ldap_errors
from ldap3.utils.conv import escape_filter_chars
from mitmproxy import exceptions
from mitmproxy.addons.proxyauth import Ldap

from warden.errors import ConfigError

__all__ = ["DirectoryUnavailable", "LdapCheck"]

log = logging.getLogger("warden.identity")

TIMEOUT_S = 5  # seconds; ldap3 wants an int for the socket's receive timeout


class DirectoryUnavailable(ConnectionError):
    """The directory could not be asked; the login is neither accepted nor known to be wrong."""


class LdapCheck:
    def __init__(self, spec: str, ca_file: Path | None = None) -> None:
        try:
            use_ssl, host, port, bind_dn, bind_password, subtree, key = Ldap.parse_spec(spec)
        except exceptions.OptionsError:
            # Not the spec itself in the message: it holds the service account's password.
            raise ConfigError(
                "proxy_auth.ldap: expected ldap[s]:host[:port]:bind-dn:password:subtree"
            ) from None
        if ca_file is not None and not ca_file.is_file():
            raise ConfigError(f"proxy_auth.ldap_ca_file: {ca_file} is not a file")
        if not use_ssl:
            log.warning("proxy_auth.ldap uses ldap: passwords cross the network unencrypted")
        self._address = (host, port, use_ssl)
        self._tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED,
            ca_certs_file=str(ca_file) if ca_file else None,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
        self._server = self._new_server()
        self._bind_dn, self._bind_password = bind_dn, bind_password
        self._subtree, self._key = subtree, key
        self._lock = threading.Lock()
        self._service: ldap3.Connection | None = None

    def __call__(self, user: str, password: str) -> str | None:
        """The directory's own spelling of the user's name if the password is right."""
        # An empty password would be an "unauthenticated bind", which LDAP servers accept.
        if not user or not password:
            return None
        found = self._find(user)
        if found is None:
            return None
        dn, canonical = found
        try:
            ldap3.Connection(
                self._server, dn, password, auto_bind=True, receive_timeout=TIMEOUT_S
            ).unbind()
        except ldap_errors.LDAPBindError:
            return None
        except ldap_errors.LDAPException as e:
            self._forget_server()
            raise DirectoryUnavailable(f"{type(e).__name__}: {e}") from None
        return canonical

    def _find(self, user: str) -> tuple[str, str] | None:
        """The user's DN and canonical name, or None if the directory has no such user."""
        search = f"({self._key}={escape_filter_chars(user)})"
        with self._lock:
            for attempt in (1, 2):  # a connection the server has dropped is reopened once
                try:
                    service = self._connection()
                    service.search(self._subtree, search, attributes=[self._key])
                    found = service.response or ()
                    entries = [r for r in found if r.get("type") == "searchResEntry"]
                    if not entries:
                        return None
                    entry = entries[0]
                    return str(entry["dn"]), _canonical_name(entry, self._key, user)
                except ldap_errors.LDAPException as e:
                    self._service = None
                    self._forget_server()
                    if attempt == 2:
                        raise DirectoryUnavailable(f"{type(e).__name__}: {e}") from None
        return None  # pragma: no cover - the loop returns or raises

    def _new_server(self) -> ldap3.Server:
        host, port, use_ssl = self._address
        tls = self._tls if use_ssl else None
        return ldap3.Server(host, port=port, use_ssl=use_ssl, tls=tls, connect_timeout=TIMEOUT_S)

    def _forget_server(self) -> None:
        # ldap3 marks an address that failed as unavailable for a few seconds; a new Server
        # object tries again at once, so logins work as soon as the directory is back.
        self._server = self._new_server()

    def _connection(self) -> ldap3.Connection:
        if self._service is None:
            self._service = ldap3.Connection(
                self._server,
                self._bind_dn,
                self._bind_password,
                auto_bind=True,
                receive_timeout=TIMEOUT_S,
            )
        return self._service


def _canonical_name(entry: dict[str, object], key: str, typed: str) -> str:
    """The value of the attribute the login matched on, as the directory spells it.

    A multi-valued attribute (several uids) gives the value the login matched; a directory
    that hides the attribute leaves the typed name, casefolded, as the one spelling.
    """
    attributes = entry.get("attributes")
    raw = attributes.get(key) if isinstance(attributes, dict) else None
    values = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if v]
    for value in values:
        if value.casefold() == typed.casefold():
            return value
    return values[0] if len(values) == 1 else typed.casefold()
