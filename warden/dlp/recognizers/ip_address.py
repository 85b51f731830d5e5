"""IPv4 and IPv6 addresses, checked with the ipaddress module."""

from __future__ import annotations

import ipaddress

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["IpAddressRecognizer"]

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


class IpAddressRecognizer(WardenRecognizer):
    ENTITY = "IP_ADDRESS"
    CONTEXT = ("ip", "host", "server", "address", "client", "addr")
    JOIN_LINES = False
    PATTERNS = (
        # Not after "Name/": "Chrome/131.0.0.0" is a product version (User-Agent), while
        # "http://10.0.0.1" still counts.
        Pattern("ipv4", rf"(?<![\w.])(?<![A-Za-z]/){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)", 0.6),
        Pattern("ipv6", r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])", 0.6),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        try:
            address = ipaddress.ip_address(pattern_text)
        except ValueError:
            return False
        if address.is_unspecified or str(address) == "255.255.255.255":
            return False
        # "::" alone, or "1:2::" in a time or ratio, is not worth a finding.
        return None if address.version == 4 or pattern_text.count(":") >= 3 else False
