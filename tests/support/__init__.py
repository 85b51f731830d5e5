"""Reusable end-to-end test support: test PKI, mock AI providers, mount namespaces, processes."""

from __future__ import annotations

from tests.support.mock_app import RecordedRequest
from tests.support.mock_common import DELAY_HEADER
from tests.support.mock_providers import DEFAULT_HOSTNAMES, MockProviders, random_loopback_ip
from tests.support.namespace import (
    can_use_mount_namespace,
    mount_namespace_skip_reason,
    netns_command,
    write_hosts_file,
)
from tests.support.processes import ProxyProcess, free_port, wait_for_port
from tests.support.testca import TestPKI, make_test_pki

__all__ = [
    "DEFAULT_HOSTNAMES",
    "DELAY_HEADER",
    "MockProviders",
    "ProxyProcess",
    "RecordedRequest",
    "TestPKI",
    "can_use_mount_namespace",
    "free_port",
    "make_test_pki",
    "mount_namespace_skip_reason",
    "netns_command",
    "random_loopback_ip",
    "wait_for_port",
    "write_hosts_file",
]
