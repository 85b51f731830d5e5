"""`warden catalog`: listing and searching by category and rating, and previewing an update."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_warden
from warden.catalog import SHIPPED_CATALOG, Catalog

SITE = """\
version: 1
apps:
  - id: scribe
    name: Scribe Notes
    vendor: Example
    kind: web_app
    category: meeting
    schema: generic
    hosts: [scribe.example]
    sanctioned: unsanctioned
    source: https://scribe.example/network
    risk:
      terms: [https://scribe.example/terms]
      training: yes
      training_opt_out: yes
"""


def test_listing_narrows_by_category_and_rating_and_shows_reasons(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    result = run_warden(
        "catalog", "--catalog", str(site), "--category", "meeting", "--risk", "high", "--reasons"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("scribe ") and "meeting" in lines[0] and "risk high" in lines[0]
    assert lines[1] == "    - inputs are used for training by default (it can be turned off)"
    assert len(lines) == 2  # the shipped meeting apps are not rated high
    assert result.stderr.startswith(f"1 of {len(Catalog.default()) + 1} apps")


def test_search_matches_vendor_and_hosts_and_json_carries_the_rating() -> None:
    result = run_warden("catalog", "--search", "ASSEMBLYAI", "--json")
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == ["assemblyai", "assemblyai-streaming"]
    assert rows[0]["category"] == "meeting"
    assert rows[0]["risk"] == "unknown"
    assert "data residency: US, EU" in rows[0]["risk_reasons"]
    assert rows[1]["intercept"] is False


def test_a_host_lookup_names_category_and_rating() -> None:
    result = run_warden("catalog", "otter.ai")
    assert result.returncode == 0
    assert result.stdout.startswith("otter.ai: otter ")
    assert "meeting" in result.stdout and "risk unknown" in result.stdout


def test_diff_previews_added_removed_and_changed_apps(tmp_path: Path) -> None:
    text = SHIPPED_CATALOG.read_text()
    # The update drops Cerebras, gives Otter a second host and documents that it trains on
    # inputs, and adds a new app.
    start = text.index("  - id: cerebras")
    end = text.index("  # --- Meeting recorders")
    text = text[:start] + text[end:]
    text = text.replace("hosts: [otter.ai]", "hosts: [otter.ai, api.otter.ai]")
    otter = text.index("  - id: otter")
    text = text[:otter] + text[otter:].replace(
        "      sso: yes\n", "      sso: yes\n      training: yes\n", 1
    )
    update = tmp_path / "next.yaml"
    update.write_text(text + SITE.split("apps:\n", 1)[1])
    result = run_warden("catalog", "diff", str(update))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "+ scribe (meeting, risk high): scribe.example",
        "- cerebras: api.cerebras.ai would no longer be recognised",
        "~ otter",
        "    hosts: + api.otter.ai",
        "    risk: unknown -> high (inputs are used for training by default (whether it can be "
        "turned off is not documented); single sign-on; SOC 2 certified)",
    ]


def test_diff_of_the_same_catalog_says_so_and_exits_zero() -> None:
    result = run_warden("catalog", "diff", str(SHIPPED_CATALOG))
    assert (result.returncode, result.stdout) == (0, "no change\n")


def test_diff_as_a_site_file_only_adds(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    result = run_warden("catalog", "diff", str(site), "--extra", "--json")
    assert json.loads(result.stdout) == {"added": ["scribe"], "removed": [], "changed": {}}


def test_diff_of_a_broken_file_names_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\napps:\n  - id: x\n")
    result = run_warden("catalog", "diff", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"warden catalog: {bad}:3:5: ")
