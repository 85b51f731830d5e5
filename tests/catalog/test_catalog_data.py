"""The shipped catalog as data: every entry sourced, categorised, valid and without collisions."""

from __future__ import annotations

import re

import pytest

from warden.catalog import SHIPPED_CATALOG, Catalog, CatalogEntry, Category, parse_host_pattern
from warden.catalog.risk_reader import valid_url
from warden.strict_yaml import read_yaml_document

# Entries shipped before sources were recorded, whose vendor page naming their hosts has not
# been read yet. The list may only shrink: a test fails when one of them gains a source (take
# it off the list) and no new entry may join it.
AWAITING_SOURCE = frozenset(
    {
        "azure-openai",
        "mistral",
        "chatgpt-web",
        "gemini-web",
        "perplexity-web",
        "meta-ai",
        "character-ai",
    }
)

# Host patterns of different apps that may both match one name, on purpose. None today: a new
# overlap must be added here with the reason, or it fails the collision test.
INTENDED_OVERLAPS: dict[frozenset[str], str] = {}


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return Catalog.default()


def test_ids_are_unique_in_the_file_itself() -> None:
    """Loading would keep the last of two equal ids from different files; one file has none."""
    raw = read_yaml_document(SHIPPED_CATALOG.read_text(), str(SHIPPED_CATALOG)).data
    ids = [app["id"] for app in raw["apps"]]
    assert len(ids) == len(set(ids))


def test_every_entry_names_the_vendor_page_it_came_from(shipped: Catalog) -> None:
    unsourced = {e.id for e in shipped if not e.source}
    assert unsourced <= AWAITING_SOURCE, (
        f"new entries without a source: {unsourced - AWAITING_SOURCE}"
    )
    assert unsourced >= AWAITING_SOURCE, (
        f"sourced now, take off AWAITING_SOURCE: {AWAITING_SOURCE - unsourced}"
    )
    for entry in shipped:
        if entry.source:
            assert valid_url(entry.source) and entry.source.startswith("https://"), entry.id


def test_every_entry_has_a_category(shipped: Catalog) -> None:
    assert [e.id for e in shipped if e.category is Category.OTHER] == []


def test_known_risk_attributes_say_where_they_were_read(shipped: Catalog) -> None:
    for entry in shipped:
        if entry.risk.known_count():
            assert entry.risk.terms, entry.id
            assert all(url.startswith("https://") for url in entry.risk.terms), entry.id


def test_tunnelled_entries_say_why(shipped: Catalog) -> None:
    for entry in shipped:
        if not entry.intercept:
            assert entry.notes, f"{entry.id} is not inspected and does not say why"


def _example(pattern: str) -> str:
    """A host name the pattern matches."""
    return (
        pattern.replace("*.", "a.", 1) if pattern.startswith("*.") else pattern.replace("*", "x1")
    )


def _matches(pattern: str, host: str) -> bool:
    return re.fullmatch(parse_host_pattern(pattern).regex, host) is not None


def _owners(shipped: Catalog) -> list[tuple[str, CatalogEntry]]:
    return [(host, entry) for entry in shipped for host in entry.hosts]


def test_no_two_apps_claim_the_same_name_unless_listed(shipped: Catalog) -> None:
    """A name two apps' patterns both match would be reported as whichever is more specific,
    which is a surprise unless someone meant it."""
    pairs = _owners(shipped)
    found: dict[frozenset[str], str] = {}
    for host, entry in pairs:
        example = _example(host)
        for other_host, other in pairs:
            if other.id != entry.id and _matches(other_host, example):
                found[frozenset({entry.id, other.id})] = f"{example} ({host} / {other_host})"
    unexplained = {tuple(sorted(k)): v for k, v in found.items() if k not in INTENDED_OVERLAPS}
    assert unexplained == {}
    assert set(INTENDED_OVERLAPS) <= set(found), "an intended overlap no longer exists"


def test_every_pattern_resolves_to_its_own_app(shipped: Catalog) -> None:
    for host, entry in _owners(shipped):
        found = shipped.lookup(_example(host))
        assert found is not None and found.id == entry.id, host
