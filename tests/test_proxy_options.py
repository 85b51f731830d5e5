"""Which mitmproxy options `warden run --set` refuses: anything that writes decrypted flows,
bypasses inspection or loads code, and anything nobody has looked at yet."""

from __future__ import annotations

import pytest
from mitmproxy import options

from addons import make_addons
from addons.master import WardenMaster
from warden.proxy_options import (
    _REASON_PREFIXES,
    FROM_FLAGS,
    REASONS,
    SAFE_OPTIONS,
    UNLISTED,
    VALUE_CHECKS,
    vet,
)

# mitmproxy 12.2.3 options looked at and left to the generic refusal: Warden does not need
# them, and none is known to be harmless enough to pass without an administrator's word.
LOOKED_AT_AND_UNLISTED = {
    "add_upstream_certs_to_client_chain",
    "cert_passphrase",
    "certs",
    "command_history",
    "content_view_lines_cutoff",
    "dns_name_servers",
    "dns_use_hosts_file",
    "export_preserve_original_ip",
    "keep_alt_svc_header",
    "keep_host_header",
    "protobuf_definitions",
    "request_client_cert",
    "showhost",
    "upstream_cert",
}


def refused(*specs: str) -> dict[str, str]:
    return {r.name: r.reason for r in vet(specs).refused}


@pytest.mark.parametrize(
    "spec",
    [
        "save_stream_file=/tmp/flows",
        "save_stream_filter=~d openai",
        "hardump=/tmp/flows.har",
        "stream_large_bodies=1",
        "scripts=/tmp/addon.py",
        "ignore_hosts=.*openai.*",
        "allow_hosts=example.com",
        "tcp_hosts=.*",
        "udp_hosts=.*",
        "rfile=/tmp/flows",
        "server_replay=/tmp/flows",
        "client_replay=/tmp/flows",
        "proxy_debug=true",
        "ssl_insecure",
        "modify_body=/~q/secret/public",
        "map_remote=|api.openai.com|example.com",
        "confdir=/tmp/elsewhere",
        "web_port=8081",
        "flow_detail=4",
    ],
)
def test_options_that_dump_bypass_or_load_code_are_refused_with_their_reason(spec: str) -> None:
    name = spec.partition("=")[0]
    reasons = refused(spec)
    assert list(reasons) == [name]
    assert reasons[name] != UNLISTED, "a known danger is named, not lumped in with the unknown"


def test_an_option_nobody_has_looked_at_is_refused() -> None:
    assert refused("some_future_option=1") == {"some_future_option": UNLISTED}
    assert refused("showhost") == {"showhost": UNLISTED}


@pytest.mark.parametrize(
    "spec",
    [
        "ssl_verify_upstream_trusted_ca=/etc/ca.pem",
        "mode=upstream:http://proxy.corp.example:3128",
        "mode=regular@8081",
        "mode=regular",
        "upstream_auth=user:password",
        "body_size_limit=10m",
        "termlog_verbosity=warn",
        "tls_version_server_min=TLS1_3",
        "block_global=true",
        "block_global",
        "block_private=true",
        "key_size=2048",
        "key_size=4096",
        "tls_version_server_max=UNBOUNDED",
        "tls_ecdh_curve_server=secp384r1",
        "anticomp",
        "warden_metrics=true",
        "warden_max_body=262144",
    ],
)
def test_options_that_leave_inspection_intact_pass(spec: str) -> None:
    assert refused(spec) == {}


@pytest.mark.parametrize(
    "spec",
    [
        "mode=socks5",
        "mode=reverse:https://api.openai.com",
        "mode=transparent@8081",
        "termlog_verbosity=debug",
        "tls_version_server_min=TLS1_1",
        "tls_version_client_min=UNBOUNDED",
        "block_global=false",
        "block_global=toggle",
        "key_size=1024",
        "key_size=big",
        "tls_version_server_max=TLS1_2",
        "tls_version_client_max=TLS1_1",
        "tls_ecdh_curve_server=secp192r1",
        "mode=regular@0.0.0.0:8081",
    ],
)
def test_some_options_are_refused_for_some_values_only(spec: str) -> None:
    assert list(refused(spec)) == [spec.partition("=")[0]]


@pytest.mark.parametrize(
    ("spec", "flag"),
    [
        ("warden_policy=", "--policy"),
        ("warden_identity=", "--identity"),
        ("warden_catalog=/tmp/c.yaml", "--catalog"),
        ("warden_data_dir=/tmp/open", "--data-dir"),
    ],
)
def test_warden_options_set_from_checked_flags_cannot_be_replaced(spec: str, flag: str) -> None:
    """`--set warden_policy=` would otherwise run the proxy with no policy at all."""
    [reason] = refused(spec).values()
    assert f"use {flag}" in reason


@pytest.mark.parametrize(
    "spec",
    [
        # An on-path attacker with no certificate got the prompt and the Authorization header
        # through anonymous Diffie-Hellman.
        "ciphers_server=ADH-AES256-GCM-SHA384:@SECLEVEL=0",
        "ciphers_server=ECDHE-RSA-AES256-GCM-SHA384",
        "ciphers_client=ALL:@SECLEVEL=0",
        "ssl_verify_upstream_trusted_confdir=/tmp",
    ],
)
def test_options_that_can_weaken_tls_are_refused_whatever_the_value(spec: str) -> None:
    name = spec.partition("=")[0]
    reasons = refused(spec)
    assert list(reasons) == [name]
    assert reasons[name] != UNLISTED


@pytest.mark.parametrize(
    ("spec", "flag"),
    [("listen_host=0.0.0.0", "--listen-host"), ("listen_port=80", "--listen-port")],
)
def test_the_listen_address_comes_from_the_flags_the_banner_reports(spec: str, flag: str) -> None:
    [reason] = refused(spec).values()
    assert f"use {flag}" in reason


def test_one_unsafe_mode_among_safe_ones_is_refused() -> None:
    assert list(refused("mode=regular", "mode=socks5@1080")) == ["mode"]


def test_the_override_lets_one_option_through_and_it_is_warned_about() -> None:
    vetting = vet(["save_stream_file=/tmp/flows", "hardump=/tmp/x.har"], {"save_stream_file"})
    assert [r.name for r in vetting.refused] == ["hardump"]
    [override] = vetting.overridden
    assert override.name == "save_stream_file"
    assert "save_stream_file" in override.warning() and "to disk" in override.warning()


def test_the_message_names_the_option_and_the_override_but_never_the_value() -> None:
    secret = "Bearer sk-proj-" + "x" * 30
    [refusal] = vet([f"modify_headers=/~q/Authorization/{secret}"]).refused
    message = refusal.message()
    assert "modify_headers" in message and "--allow-unsafe-option modify_headers" in message
    assert "sk-proj" not in message and "sk-proj" not in refusal.warning()


def test_a_tls_key_log_in_the_environment_is_refused_unless_allowed() -> None:
    environ = {"SSLKEYLOGFILE": "/tmp/keys.log"}
    assert [r.name for r in vet([], (), environ).refused] == ["SSLKEYLOGFILE"]
    assert vet([], {"SSLKEYLOGFILE"}, environ).refused == ()
    assert vet([], (), {"SSLKEYLOGFILE": ""}).refused == ()


@pytest.mark.asyncio
async def test_every_option_of_the_installed_mitmproxy_has_been_looked_at() -> None:
    """Tripwire for upgrades: a new mitmproxy option is refused by default (UNLISTED), and
    this test asks someone to decide whether it belongs on the safe list."""
    master = WardenMaster(options.Options())
    master.addons.add(*make_addons())
    looked_at = SAFE_OPTIONS | set(REASONS) | set(VALUE_CHECKS) | LOOKED_AT_AND_UNLISTED | {"mode"}
    looked_at |= set(FROM_FLAGS)
    declared = set(master.options.keys())  # an OptManager has keys() but no __iter__
    new = {
        name
        for name in declared
        if not name.startswith("warden_")
        and name not in looked_at
        and not name.startswith(tuple(_REASON_PREFIXES))
    }
    assert new == set(), f"mitmproxy options nobody has judged yet: {sorted(new)}"
