"""Which mitmproxy options `warden run --set` passes on, and which it refuses.

mitmproxy has options that write decrypted flows to disk (`save_stream_file`, `hardump`),
forward request bodies before they are read (`stream_large_bodies`), exempt hosts from
decryption (`ignore_hosts`, `tcp_hosts`) or load code that sees every request (`scripts`).
Any of them silently undoes what Warden promises (inspect by default, `audit.capture: none`).
Others weaken the TLS that keeps prompts and keys from anyone on the path (`ciphers_server`
can allow anonymous key exchange) or open the proxy to the Internet (`block_global=false`).

So the list is an allowlist: an option passes only if it is known to leave inspection and
privacy intact, and an option a future mitmproxy adds is refused until someone has looked at
it. An administrator who knows better names the option with `--allow-unsafe-option NAME`;
the proxy then logs a warning for it at every start.

This module knows option names and their value syntax only; it imports no mitmproxy.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "FROM_FLAGS",
    "KEYLOG_VARIABLES",
    "SAFE_OPTIONS",
    "Refusal",
    "Vetting",
    "vet",
]


# Options that change how Warden connects and verifies, never what it inspects or keeps, with
# any value. Warden's own options (warden_*) are Warden's to judge and pass, but for FROM_FLAGS.
# Options that are safe with some values only are in VALUE_CHECKS; the rest are refused:
# `ciphers_*` (an OpenSSL cipher string can enable anonymous DH, which hands prompts and keys
# to anyone on the path; not worth parsing), `ssl_verify_upstream_trusted_confdir` (trusts
# every certificate in a directory). Looked at and left unlisted (refused as UNLISTED):
# `upstream_cert` and `add_upstream_certs_to_client_chain` (change what clients are shown),
# `keep_host_header`, `showhost`, and the others tests/test_proxy_options.py names.
SAFE_OPTIONS = frozenset(
    {
        "upstream_auth",  # the login for `mode=upstream:URL`, sent in no other mode
        "ssl_verify_upstream_trusted_ca",  # one CA file the administrator names
        "client_certs",  # a client certificate Warden shows upstream
        "connect_addr",  # the local address outbound connections leave from
        "block_private",  # on refuses private clients too: stricter; off is the default
        "body_size_limit",  # refuses larger bodies: stricter, never looser
        "block_list",  # answers matching requests itself: stricter
        "connection_strategy",  # when upstream is dialled; verification is the same
        "http2",
        "http2_ping_keepalive",
        "http3",
        "rawtcp",  # off refuses unknown protocols in a CONNECT: stricter
        "tcp_timeout",
        "http_connect_send_host_header",
        "normalize_outbound_headers",
        "anticache",  # drops If-Modified-Since and friends: the body is still inspected
        "anticomp",  # asks for uncompressed answers: harmless
    }
)

WARDEN_PREFIX = "warden_"

# mitmproxy (at import) and Python's ssl module (for every default context) write each TLS
# session key to the named file: with a packet capture, it decrypts every prompt and key.
KEYLOG_VARIABLES = ("MITMPROXY_SSLKEYLOGFILE", "SSLKEYLOGFILE")

_DUMPS = "writes decrypted flows (prompts, answers, API keys) to disk, outside audit.capture"
_REPLAY = "replays saved flows, which then bypass or misrepresent what Warden inspected"
_REWRITE = (
    "rewrites requests or answers outside Warden's stages, so what leaves is not what was "
    "inspected and recorded"
)

# Why the options people reach for most are refused; anything else gets UNLISTED.
REASONS: Mapping[str, str] = {
    "save_stream_file": _DUMPS,
    "save_stream_filter": _DUMPS,
    "hardump": "writes every decrypted flow to a HAR file, outside audit.capture",
    "rfile": _REPLAY,
    "readfile_filter": _REPLAY,
    "keepserving": _REPLAY,
    "stream_large_bodies": (
        "streams large request bodies to the provider before DLP has read them"
    ),
    "store_streamed_bodies": "only matters with stream_large_bodies, which Warden refuses",
    "ignore_hosts": (
        "exempts hosts from decryption; what Warden decrypts is decided by its catalog "
        "(a catalog file or the policy's intercept_hosts), so that one answer holds everywhere"
    ),
    "allow_hosts": (
        "limits decryption to the hosts listed; what Warden decrypts is decided by its "
        "catalog, and a catalog host missing from the list would pass uninspected"
    ),
    "tcp_hosts": "passes decrypted traffic of matching hosts as raw TCP, past every HTTP stage",
    "udp_hosts": "passes decrypted traffic of matching hosts as raw UDP, past every HTTP stage",
    "show_ignored_hosts": "keeps the contents of flows Warden does not inspect",
    "scripts": "loads addons that see, change and can write every decrypted request",
    "proxy_debug": "logs every proxy event, request headers and data included (keys, prompts)",
    "flow_detail": "prints flows, bodies included from level 3; Warden has no flow printer",
    "ssl_insecure": (
        "turns off verification of providers' certificates, so anyone on the path can read "
        "prompts and keys; trust a private CA with ssl_verify_upstream_trusted_ca instead"
    ),
    "modify_body": _REWRITE,
    "modify_headers": _REWRITE,
    "map_local": _REWRITE,
    "map_remote": _REWRITE,
    "proxyauth": (
        "checks proxy logins apart from Warden's identity file (proxy_auth there), which "
        "then no longer learns who sent a request"
    ),
    "stickyauth": "copies one user's credentials onto other users' requests",
    "stickycookie": "copies one user's cookies onto other users' requests",
    "confdir": "moves the CA away from --certs-dir (set --certs-dir instead)",
    "onboarding": "serves mitmproxy's CA page; devices get the CA and PAC from Warden",
    "onboarding_host": "serves mitmproxy's CA page; devices get the CA and PAC from Warden",
    "validate_inbound_headers": "lets malformed headers smuggle a request past inspection",
    "strip_ech": (
        "lets a client hide the AI host's name from classification behind Encrypted ClientHello"
    ),
    "websocket": "stops WebSocket messages from being inspected",
    "server": "starts no proxy",
    "ciphers_server": (
        "replaces the cipher suites offered to providers; one string (e.g. ADH-...) lets anyone "
        "on the path answer without a certificate and read prompts and keys"
    ),
    "ciphers_client": (
        "replaces the cipher suites offered to devices, and can let weak or anonymous ones in"
    ),
    "ssl_verify_upstream_trusted_confdir": (
        "trusts every certificate in a directory for every provider; name the one CA file "
        "with ssl_verify_upstream_trusted_ca instead"
    ),
}

# Options that `warden run` sets from its flags, after checking what they name (a policy that
# loads, a data directory made private) or reporting it (the banner and the dashboard name the
# listen address). Set again with --set, they would replace that value unseen, e.g.
# `--set warden_policy=` would run with no policy at all.
FROM_FLAGS: Mapping[str, str] = {
    "listen_host": "--listen-host",
    "listen_port": "--listen-port",
    "warden_policy": "--policy",
    "warden_identity": "--identity",
    "warden_catalog": "--catalog",
    "warden_data_dir": "--data-dir",
    "warden_state": "--state",
    "warden_state_ca": "--state-ca",
    "warden_state_password_file": "--state-password-file",
    "warden_state_unreachable": "--state-unreachable",
    "warden_instance": "--instance",
    "warden_workers_status": "--workers",
}

_REASON_PREFIXES: Mapping[str, str] = {
    "server_replay": _REPLAY,
    "client_replay": _REPLAY,
    "web_": "configures mitmweb, whose UI shows every decrypted flow; Warden has none",
}

UNLISTED = "is not on Warden's list of mitmproxy options known to leave inspection intact"


def _mode(values: Sequence[str]) -> str | None:
    for spec in values:
        # mitmproxy's grammar: MODE[:DATA][@[HOST:]PORT]
        head, _, listen = spec.rpartition("@")
        kind = (head or listen).partition(":")[0].lower()
        if kind not in ("regular", "upstream"):
            return (
                f"runs mode {kind!r}, and Warden's classification and identity are built "
                "and tested for the regular and upstream modes only"
            )
        if head and ":" in listen:
            return "listens on a host of its own, not the one --listen-host set and reports"
    return None


def _termlog(values: Sequence[str]) -> str | None:
    if any(v.strip().lower() == "debug" for v in values):
        return "prints proxy internals at debug level, request headers with API keys included"
    return None


_WEAK_TLS = {"unbounded", "ssl3", "tls1", "tls1_1"}


def _tls_min(values: Sequence[str]) -> str | None:
    if any(v.strip().lower() in _WEAK_TLS for v in values):
        return "allows TLS versions older than 1.2, which an attacker on the path can break"
    return None


def _tls_max(values: Sequence[str]) -> str | None:
    if any(v.strip().lower() != "unbounded" for v in values):
        return (
            "caps the TLS version, which turns TLS 1.3 off (and mitmproxy may not start: "
            "tls_version_server_max=TLS1_2 did not)"
        )
    return None


def _block_global(values: Sequence[str]) -> str | None:
    if any(v.strip().lower() != "true" for v in values):
        return (
            "lets clients from public addresses in: with --listen-host 0.0.0.0 that is an open "
            "proxy"
        )
    return None


MIN_KEY_SIZE = 2048


def _key_size(values: Sequence[str]) -> str | None:
    for v in values:
        try:
            if int(v) >= MIN_KEY_SIZE:
                continue
        except ValueError:
            pass
        return f"gives the certificates Warden forges keys shorter than {MIN_KEY_SIZE} bits"
    return None


# mitmproxy accepts the curves `cryptography` names; these are the ones of 256 bits or more.
_STRONG_CURVES = frozenset(
    {"secp256r1", "secp384r1", "secp521r1", "secp256k1"}
    | {"brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1"}
)


def _curve(values: Sequence[str]) -> str | None:
    if any(v.strip() not in _STRONG_CURVES for v in values):
        return "limits key exchange to an elliptic curve of fewer than 256 bits"
    return None


# Options that are safe with some values only: the check returns the reason to refuse.
VALUE_CHECKS: Mapping[str, Callable[[Sequence[str]], str | None]] = {
    "mode": _mode,
    "termlog_verbosity": _termlog,
    "tls_version_client_min": _tls_min,
    "tls_version_server_min": _tls_min,
    "tls_version_client_max": _tls_max,
    "tls_version_server_max": _tls_max,
    "block_global": _block_global,
    "key_size": _key_size,
    "tls_ecdh_curve_client": _curve,
    "tls_ecdh_curve_server": _curve,
}


@dataclass(frozen=True)
class Refusal:
    """One option (or environment variable) Warden will not run with, and why."""

    name: str
    reason: str

    def message(self) -> str:
        # The name only: a value may be a password (upstream_auth) or a path worth hiding.
        return (
            f"{self.name} is refused because it {self.reason}. An administrator who accepts "
            f"this can pass --allow-unsafe-option {self.name}"
        )

    def warning(self) -> str:
        return (
            f"WARNING: {self.name} is allowed by --allow-unsafe-option; Warden refuses it by "
            f"default because it {self.reason}"
        )


@dataclass(frozen=True)
class Vetting:
    refused: tuple[Refusal, ...]
    overridden: tuple[Refusal, ...]  # refused but for --allow-unsafe-option: warn at start


def vet(
    specs: Sequence[str],
    allowed_unsafe: Collection[str] = (),
    environ: Mapping[str, str] | None = None,
) -> Vetting:
    """Sort `--set` specs (and the environment mitmproxy reads) into refused and overridden."""
    values: dict[str, list[str]] = {}
    for spec in specs:
        name, has_value, value = spec.partition("=")
        values.setdefault(name.strip(), []).extend([value] if has_value else [])
    problems = [Refusal(name, reason) for name, v in values.items() if (reason := _why(name, v))]
    for variable in KEYLOG_VARIABLES:
        if (environ or {}).get(variable):
            problems.append(
                Refusal(
                    variable, "makes mitmproxy and Python write every TLS session key to a file"
                )
            )
    allowed = set(allowed_unsafe)
    return Vetting(
        refused=tuple(p for p in problems if p.name not in allowed),
        overridden=tuple(p for p in problems if p.name in allowed),
    )


def _why(name: str, values: Sequence[str]) -> str | None:
    if name in FROM_FLAGS:
        return f"replaces what {FROM_FLAGS[name]} set; use {FROM_FLAGS[name]}"
    if name.startswith(WARDEN_PREFIX) or name in SAFE_OPTIONS:
        return None
    if name in VALUE_CHECKS:
        return VALUE_CHECKS[name](values)
    if name in REASONS:
        return REASONS[name]
    for prefix, reason in _REASON_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    return UNLISTED
