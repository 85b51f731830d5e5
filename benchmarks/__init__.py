"""Benchmarks: what Warden costs on top of bare mitmproxy (`make bench`)."""
