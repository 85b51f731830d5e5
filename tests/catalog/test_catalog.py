from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from warden.catalog import (
    SHIPPED_CATALOG,
    AppKind,
    Catalog,
    CatalogEntry,
    Sanction,
    normalize_host,
    parse_host_pattern,
)
from warden.errors import ConfigError

# host -> (entry id, schema, kind) for every app the shipped catalog must know.
REQUIRED = {
    "api.openai.com": ("openai", "openai", AppKind.API),
    "myres.openai.azure.com": ("azure-openai", "openai", AppKind.API),
    "myres.cognitiveservices.azure.com": ("azure-openai", "openai", AppKind.API),
    "myproj.services.ai.azure.com": ("azure-openai", "openai", AppKind.API),
    "api.anthropic.com": ("anthropic", "anthropic", AppKind.API),
    "generativelanguage.googleapis.com": ("gemini-api", "gemini", AppKind.API),
    "aiplatform.googleapis.com": ("vertex-ai", "gemini", AppKind.API),
    "us-central1-aiplatform.googleapis.com": ("vertex-ai", "gemini", AppKind.API),
    "europe-west4-aiplatform.googleapis.com": ("vertex-ai", "gemini", AppKind.API),
    "api.mistral.ai": ("mistral", "openai", AppKind.API),
    "codestral.mistral.ai": ("mistral", "openai", AppKind.API),
    "api.cohere.com": ("cohere", "cohere", AppKind.API),
    "api.cohere.ai": ("cohere", "cohere", AppKind.API),
    "api.groq.com": ("groq", "openai", AppKind.API),
    "api.together.xyz": ("together", "openai", AppKind.API),
    "api.together.ai": ("together", "openai", AppKind.API),
    "api.fireworks.ai": ("fireworks", "openai", AppKind.API),
    "api.deepseek.com": ("deepseek-api", "openai", AppKind.API),
    "api.x.ai": ("xai", "openai", AppKind.API),
    "api.perplexity.ai": ("perplexity-api", "openai", AppKind.API),
    "openrouter.ai": ("openrouter", "openai", AppKind.API),
    "api-inference.huggingface.co": ("huggingface", "openai", AppKind.API),
    "router.huggingface.co": ("huggingface", "openai", AppKind.API),
    "abc123.us-east-1.aws.endpoints.huggingface.cloud": ("huggingface", "openai", AppKind.API),
    "api.replicate.com": ("replicate", "generic", AppKind.API),
    "bedrock-runtime.us-east-1.amazonaws.com": ("bedrock", "bedrock", AppKind.API),
    "bedrock-runtime.eu-central-1.amazonaws.com": ("bedrock", "bedrock", AppKind.API),
    "bedrock-runtime-fips.us-west-2.amazonaws.com": ("bedrock", "bedrock", AppKind.API),
    "api.cloudflare.com": ("cloudflare-workers-ai", "generic", AppKind.API),
    "gateway.ai.cloudflare.com": ("cloudflare-ai-gateway", "cloudflare_gateway", AppKind.API),
    "chatgpt.com": ("chatgpt-web", "chatgpt_web", AppKind.WEB_APP),
    "chat.openai.com": ("chatgpt-web", "chatgpt_web", AppKind.WEB_APP),
    "ab.chatgpt.com": ("chatgpt-web", "chatgpt_web", AppKind.WEB_APP),
    "claude.ai": ("claude-web", "generic", AppKind.WEB_APP),
    "gemini.google.com": ("gemini-web", "generic", AppKind.WEB_APP),
    "copilot.microsoft.com": ("microsoft-copilot", "generic", AppKind.ASSISTANT),
    "perplexity.ai": ("perplexity-web", "generic", AppKind.WEB_APP),
    "www.perplexity.ai": ("perplexity-web", "generic", AppKind.WEB_APP),
    "poe.com": ("poe", "generic", AppKind.WEB_APP),
    "chat.deepseek.com": ("deepseek-chat", "generic", AppKind.WEB_APP),
    "api.githubcopilot.com": ("github-copilot", "openai", AppKind.ASSISTANT),
    "api.business.githubcopilot.com": ("github-copilot", "openai", AppKind.ASSISTANT),
    "chat.mistral.ai": ("mistral-le-chat", "generic", AppKind.WEB_APP),
    "meta.ai": ("meta-ai", "generic", AppKind.WEB_APP),
    "character.ai": ("character-ai", "generic", AppKind.WEB_APP),
}

NOT_AI = [
    "example.com",
    "github.com",
    "api.github.com",
    "google.com",
    "googleapis.com",
    "openai.com",
    "openai.com.evil.net",
    "api.openai.com.evil.com",
    "evilapi.openai.com",
    "api-openai.com",
    "xapi.openai.com",
    "openai.azure.com",  # bare domain of a *. pattern
    "evil-openai.azure.com",
    "azure.com",
    "endpoints.huggingface.cloud",
    "x.us-central1-aiplatform.googleapis.com",  # the prefix * stays inside one label
    "us-central1-aiplatform.googleapis.com.evil.net",
    "bedrock-runtime.amazonaws.com",  # the middle * needs exactly one label
    "bedrock-runtime.a.b.amazonaws.com",
    "bedrock.us-east-1.amazonaws.com",
    "s3.us-east-1.amazonaws.com",
    "cloudflare.com",
    "ai.cloudflare.com",
    "notclaude.ai",
    "",
    "[::1]:443",
    "10.0.0.1",
]


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return Catalog.default()


@pytest.mark.parametrize(("host", "expected"), REQUIRED.items())
def test_required_hosts_resolve(shipped: Catalog, host: str, expected: tuple) -> None:
    entry = shipped.lookup(host)
    assert entry is not None, host
    assert (entry.id, entry.schema, entry.kind) == expected


@pytest.mark.parametrize("host", NOT_AI)
def test_non_ai_hosts_do_not_resolve(shipped: Catalog, host: str) -> None:
    assert shipped.lookup(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "API.OPENAI.COM",
        "api.openai.com.",
        "api.openai.com:443",
        "Api.OpenAI.com.:8443",
        " api.openai.com ",
    ],
)
def test_lookup_ignores_case_trailing_dot_and_port(shipped: Catalog, host: str) -> None:
    entry = shipped.lookup(host)
    assert entry is not None and entry.id == "openai"


def test_subdomain_wildcard_matches_any_depth(shipped: Catalog) -> None:
    entry = shipped.lookup("a.b.c.openai.azure.com:443")
    assert entry is not None and entry.id == "azure-openai"


def test_shipped_catalog_shape(shipped: Catalog) -> None:
    assert shipped.version == 1
    ids = [e.id for e in shipped.entries]
    assert len(ids) == len(set(ids))
    # Tunnelling an AI host is the exception: each one says why.
    assert all(e.intercept or e.notes for e in shipped.entries)
    assert all(e.sanctioned is not Sanction.SANCTIONED for e in shipped.entries)
    assert "non-AI" in shipped.get("cloudflare-workers-ai").notes
    assert SHIPPED_CATALOG.name == "catalog.yaml"


def _entry(entry_id: str, *hosts: str, intercept: bool = True) -> CatalogEntry:
    return CatalogEntry(
        id=entry_id,
        name=entry_id.title(),
        vendor="Test",
        kind=AppKind.API,
        schema="generic",
        hosts=hosts,
        sanctioned=Sanction.TOLERATED,
        intercept=intercept,
    )


def test_most_specific_wildcard_wins_whatever_the_order() -> None:
    catalog = Catalog(
        [
            _entry("broad", "*.example.com"),
            _entry("narrow", "*.deep.example.com"),
            _entry("exact", "x.deep.example.com"),
        ]
    )
    assert catalog.lookup("y.deep.example.com").id == "narrow"
    assert catalog.lookup("a.b.deep.example.com").id == "narrow"
    assert catalog.lookup("deep.example.com").id == "broad"
    assert catalog.lookup("x.deep.example.com").id == "exact"
    assert catalog.lookup("example.com") is None


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("api.*.*", "more than one"),
        ("*.*.example.com", "more than one"),
        ("*.com", "too broad"),
        ("*", "too broad"),
        ("api.*.com", "too broad"),
        ("api.foo*.example.com", "leftmost label"),
        ("api..example.com", "empty label"),
        (".example.com", "empty label"),
        ("api.example.com/v1", "may hold only"),
        ("https://api.example.com", "may hold only"),
        ("", "empty"),
    ],
)
def test_bad_patterns_are_refused(pattern: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_host_pattern(pattern)


def test_normalize_host() -> None:
    assert normalize_host("API.Example.COM.:443") == "api.example.com"
    assert normalize_host("[2001:db8::1]:443") == "2001:db8::1"
    assert normalize_host("2001:db8::1") == "2001:db8::1"


# -- files ------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "site.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_extension_file_overrides_adds_and_moves_hosts(tmp_path: Path) -> None:
    site = _write(
        tmp_path,
        """
        version: 1
        apps:
          - id: openai
            name: OpenAI via corporate contract
            vendor: OpenAI
            kind: api
            schema: openai
            hosts: [api.openai.com]
            sanctioned: sanctioned
          - id: internal-llm
            name: Internal LLM gateway
            vendor: ACME
            kind: api
            schema: openai
            hosts: ["*.llm.acme.example", api.groq.com]
            sanctioned: sanctioned
            intercept: false
            notes: ours
        """,
    )
    catalog = Catalog.default(site)
    openai = catalog.lookup("api.openai.com")
    assert openai.name == "OpenAI via corporate contract"
    assert openai.sanctioned is Sanction.SANCTIONED
    internal = catalog.lookup("eu.llm.acme.example")
    assert internal.id == "internal-llm" and internal.intercept is False
    assert internal.notes == "ours"
    # api.groq.com moved to the site's app; the shipped groq entry stays, without it.
    assert catalog.lookup("api.groq.com").id == "internal-llm"
    assert catalog.get("groq").hosts == ()
    assert "*.llm.acme.example" not in catalog.hosts_for_intercept()
    assert "api.anthropic.com" in catalog.hosts_for_intercept()
    # Order of entries is kept: an overridden entry stays where it was.
    assert catalog.entries[0].id == "openai"
    assert catalog.entries[-1].id == "internal-llm"


def test_load_without_paths_is_empty() -> None:
    catalog = Catalog.load()
    assert len(catalog) == 0
    assert catalog.lookup("api.openai.com") is None


TERMS = "https://vendor.example/terms"

GOOD_APP = """
version: 1
apps:
  - id: one
    name: One
    vendor: V
    kind: api
    schema: generic
    hosts: [one.example.com]
    sanctioned: tolerated
"""


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (GOOD_APP.replace("    sanctioned: tolerated", "    colour: blue"), "9:5", "unknown key"),
        (GOOD_APP.replace("kind: api", "kind: chatbot"), "6:11", "'kind' is 'chatbot'"),
        (GOOD_APP.replace("schema: generic", "schema: soap"), "7:13", "'schema' is 'soap'"),
        (GOOD_APP.replace("tolerated", "blessed"), "9:17", "'sanctioned' is 'blessed'"),
        (
            GOOD_APP.replace("[one.example.com]", "[ok.example.com, api.*.*]"),
            "8:29",
            "more than one",
        ),
        (
            GOOD_APP.replace(
                "hosts: [one.example.com]", "hosts:\n      - a.example.com\n      - '*.com'"
            ),
            "10:9",
            "too broad",
        ),
        (GOOD_APP.replace("    sanctioned: tolerated\n", ""), "3:5", "missing sanctioned"),
        (GOOD_APP.replace("id: one", "id: One_1"), "3:9", "slug"),
        (GOOD_APP.replace("version: 1", "version: 2"), "1:10", "got 2"),
        (GOOD_APP.replace("version: 1\n", ""), "1:1", "'version:' is missing"),
        (GOOD_APP.replace("apps:", "apps:\nextra: 1\napps2:"), "3:1", "unknown top-level key"),
        (
            GOOD_APP.replace("    vendor: V\n", "    vendor: V\n    name: Again\n"),
            "6:5",
            "duplicate key 'name' (first at ",
        ),
        (GOOD_APP.replace("[one.example.com]", "[one.example.com"), "9:15", "invalid YAML"),
        (GOOD_APP + "    intercept: maybe\n", "10:16", "true or false"),
        (
            GOOD_APP + GOOD_APP.split("apps:\n")[1].replace("id: one", "id: two"),
            "15:13",
            "by app 'one' too",
        ),
        (GOOD_APP + GOOD_APP.split("apps:\n")[1], "10:9", "duplicate app id 'one'"),
        (GOOD_APP + "    category: chatbot\n", "10:15", "'category' is 'chatbot'"),
        (GOOD_APP + "    source: vendor docs\n", "10:13", "must be the http(s) URL"),
        (GOOD_APP + "    risk: {training: no}\n", "10:11", "needs 'terms'"),
        (GOOD_APP + f"    risk: {{terms: [{TERMS}], training: false}}\n", "10:61", "yes, no or"),
        (GOOD_APP + f"    risk: {{terms: [{TERMS}], retention: 1 month}}\n", "10:62", "days"),
        (GOOD_APP + f"    risk: {{terms: [{TERMS}], certifications: [soc9]}}\n", "10:68", "soc2"),
        (GOOD_APP + f"    risk: {{terms: [{TERMS}], trains: yes}}\n", "10:51", "unknown risk"),
        (GOOD_APP + "    risk: {terms: [not-a-url], sso: yes}\n", "10:20", "not an http(s) URL"),
        ("- just\n- a list\n", "1:1", "expected a mapping"),
        ("", "1:1", "the file is empty"),
        ("# only a comment\n", "1:1", "the file is empty"),
    ],
)
def test_invalid_files_name_file_line_and_column(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        Catalog.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{where}: "), message
    assert problem in message


def test_risk_terms_and_category_are_read(tmp_path: Path) -> None:
    """What a site file says about an app's terms reaches the rating the dashboard shows."""
    text = GOOD_APP + (
        "    category: meeting\n"
        "    source: https://vendor.example/network\n"
        "    risk:\n"
        f"      terms: [{TERMS}]\n"
        "      training: no\n"
        "      retention: 30\n"
        "      residency: [EU]\n"
        "      sso: yes\n"
        "      certifications: [iso27001]\n"
        "      agreements: [dpa, baa]\n"
    )
    entry = Catalog.load(_write(tmp_path, text)).get("one")
    assert entry is not None
    assert (entry.category, entry.source) == ("meeting", "https://vendor.example/network")
    assert entry.rating.level == "low"
    assert "prompts are kept for 30 days" in entry.rating.reasons
    assert "data residency: EU" in entry.rating.reasons


def test_site_files_without_category_source_or_risk_still_load(tmp_path: Path) -> None:
    entry = Catalog.load(_write(tmp_path, GOOD_APP)).get("one")
    assert entry is not None
    assert (entry.category, entry.source, entry.rating.level) == ("other", "", "unknown")


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=re.escape(str(missing))):
        Catalog.load(missing)


# -- policy hosts -------------------------------------------------------------------------------


def test_with_extra_hosts(shipped: Catalog) -> None:
    extended = shipped.with_extra_hosts(
        ["llm.internal.example", "*.ai.corp.example", "api.openai.com", "x.openai.azure.com"]
    )
    added = extended.lookup("llm.internal.example")
    assert added is not None and added.id == "policy"
    assert added.schema == "generic" and added.kind is AppKind.API
    assert added.sanctioned is Sanction.TOLERATED
    assert added.hosts == ("llm.internal.example", "*.ai.corp.example")
    assert extended.lookup("a.ai.corp.example").id == "policy"
    # Hosts the catalog already covers keep their own app, and so their parser.
    assert extended.lookup("api.openai.com").id == "openai"
    assert extended.lookup("x.openai.azure.com").id == "azure-openai"
    assert shipped.lookup("llm.internal.example") is None  # the original is unchanged
    assert shipped.with_extra_hosts(["api.openai.com"]) is shipped


def test_with_extra_hosts_refuses_bad_patterns(shipped: Catalog) -> None:
    with pytest.raises(ConfigError, match="more than one"):
        shipped.with_extra_hosts(["*.*.example.com"])


# -- mitmproxy allow_hosts ----------------------------------------------------------------------


def _allowed(regex: str, address: str) -> bool:
    # What mitmproxy's next_layer does with each allow_hosts entry.
    return re.search(regex, address, re.IGNORECASE) is not None


def test_allow_hosts_regex_is_anchored(shipped: Catalog) -> None:
    regex = shipped.mitmproxy_allow_hosts_regex()
    assert _allowed(regex, "api.openai.com:443")
    assert _allowed(regex, "API.OpenAI.com:443")
    assert _allowed(regex, "eastus.openai.azure.com:443")
    assert _allowed(regex, "us-central1-aiplatform.googleapis.com:443")
    assert _allowed(regex, "bedrock-runtime.us-east-1.amazonaws.com:443")
    assert not _allowed(regex, "api.openai.com.evil.com:443")
    assert not _allowed(regex, "evilapi.openai.com:443")
    assert not _allowed(regex, "openai.azure.com:443")
    assert not _allowed(regex, "x.api.openai.com:443")
    assert not _allowed(regex, "104.18.7.192:443")


@pytest.mark.parametrize("host", [*REQUIRED, *NOT_AI[:-3]])
def test_allow_hosts_regex_agrees_with_lookup(shipped: Catalog, host: str) -> None:
    regex = shipped.mitmproxy_allow_hosts_regex()
    assert _allowed(regex, f"{host}:443") == (shipped.lookup(host) is not None)


def test_allow_hosts_regex_leaves_out_tunnelled_apps() -> None:
    catalog = Catalog(
        [_entry("seen", "seen.example.com"), _entry("pinned", "pin.example.com", intercept=False)]
    )
    regex = catalog.mitmproxy_allow_hosts_regex()
    assert _allowed(regex, "seen.example.com:443")
    assert not _allowed(regex, "pin.example.com:443")
    assert catalog.hosts_for_intercept() == ["seen.example.com"]
    assert not _allowed(Catalog([]).mitmproxy_allow_hosts_regex(), "api.openai.com:443")
