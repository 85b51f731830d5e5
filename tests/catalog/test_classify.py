"""One classification from every name a flow carries: any AI name makes it AI traffic."""

from __future__ import annotations

import pytest

from warden.catalog import Catalog
from warden.catalog.classify import classify

CATALOG = Catalog.default()


@pytest.mark.parametrize(
    ("connect", "sni", "host", "app", "disagree"),
    [
        ("api.openai.com", "api.openai.com", "api.openai.com", "openai", False),
        # curl --connect-to: CONNECT to an address, the AI name only in SNI and Host
        ("127.0.0.1", "api.openai.com", "api.openai.com", "openai", True),
        ("example.com", "api.openai.com", None, "openai", True),
        # the reverse: an AI CONNECT target, another name inside
        ("api.openai.com", "www.example.org", "www.example.org", "openai", True),
        # trailing dots, case and ports are the same name
        ("API.OpenAI.com.:443", "api.openai.com.", "api.openai.com:443", "openai", False),
        # two AI apps: the Host header is what the server routes by
        ("api.openai.com", "api.openai.com", "api.anthropic.com", "anthropic", True),
        ("www.example.org", "www.example.org", "www.example.org", None, False),
        (None, None, "api.anthropic.com", "anthropic", False),
    ],
)
def test_any_ai_name_makes_the_flow_ai_traffic(connect, sni, host, app, disagree) -> None:
    answer = classify(CATALOG, connect=connect, sni=sni, host=host)
    assert (answer.entry.id if answer.entry else None) == app
    assert answer.intercept is (app is not None)
    assert answer.disagree is disagree


def test_the_description_names_every_source() -> None:
    answer = classify(CATALOG, connect="127.0.0.1", sni="api.openai.com.")
    assert answer.describe() == "CONNECT 127.0.0.1, SNI api.openai.com"
