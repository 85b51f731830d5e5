"""lowered(): each request header by its lowercase name, as identity resolution reads them;
repeated headers are joined the way HTTP says they combine, and odd bytes survive."""

from __future__ import annotations

from mitmproxy.http import Headers

from addons.headers import lowered


def test_names_are_lowered_and_values_kept() -> None:
    headers = Headers([(b"X-Authenticated-User", b"Ana"), (b"Content-Type", b"application/json")])
    assert lowered(headers) == {"x-authenticated-user": "Ana", "content-type": "application/json"}


def test_repeated_names_in_any_case_are_joined_in_order() -> None:
    headers = Headers(
        [
            (b"X-Authenticated-Groups", b"finance"),
            (b"Accept", b"*/*"),
            (b"x-authenticated-groups", b"emea"),
        ]
    )
    assert lowered(headers)["x-authenticated-groups"] == "finance, emea"


def test_bytes_that_are_not_utf8_do_not_break_reading_the_rest() -> None:
    headers = Headers([(b"X-Note", b"caf\xe9"), (b"X-Authenticated-User", b"ana")])
    out = lowered(headers)
    assert out["x-authenticated-user"] == "ana"
    assert out["x-note"].encode("utf-8", "surrogateescape") == b"caf\xe9"  # nothing lost


def test_no_headers_is_an_empty_mapping() -> None:
    assert lowered(Headers()) == {}
