"""Counters in Prometheus' text format, for the proxy's /metrics page.

Labels are bounded by design: app ids come from the catalog, actions and entity types from
fixed lists. No user, host or model label: a scrape must not grow with the traffic, nor show
who sent what (the audit log is for that).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["Counters", "Family"]

type Labels = tuple[tuple[str, str], ...]

_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


class Family:
    """One metric: a name, its help text, a type, and a value per label set."""

    def __init__(self, name: str, help_text: str, kind: str = "counter") -> None:
        self.name, self.help_text, self.kind = name, help_text, kind
        self.values: dict[Labels, float] = {}

    def add(self, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        self.values[key] = self.values.get(key, 0.0) + amount

    def set(self, value: float, **labels: str) -> None:
        self.values[tuple(sorted(labels.items()))] = value

    def lines(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help_text}"
        yield f"# TYPE {self.name} {self.kind}"
        for labels, value in sorted(self.values.items()):
            rendered = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
            name = f"{self.name}{{{rendered}}}" if rendered else self.name
            yield f"{name} {_number(value)}"


class Counters:
    """Every family the proxy reports. Updated and rendered on the proxy's event loop only."""

    def __init__(self) -> None:
        self.requests = Family(
            "warden_requests_total", "AI requests by app and what Warden did with them."
        )
        self.findings = Family(
            "warden_dlp_findings_total", "Sensitive values found by DLP, by entity type."
        )
        self.tokens = Family("warden_tokens_total", "Tokens used, by app and direction.")
        self.cost = Family("warden_cost_usd_total", "Cost in US dollars, by app.")
        self.health = Family("warden_health", "1 for the current health status.", "gauge")

    def families(self) -> tuple[Family, ...]:
        return (self.requests, self.findings, self.tokens, self.cost, self.health)

    def render(self) -> str:
        return "\n".join(line for f in self.families() for line in f.lines()) + "\n"

    def snapshot(self) -> dict[str, list[list[Any]]]:
        """The counters (not the health gauge) as JSON-ready data, for the other workers."""
        return {
            f.name: [[list(map(list, labels)), value] for labels, value in f.values.items()]
            for f in self.families()
            if f.kind == "counter"
        }

    def add_snapshot(self, snapshot: dict[str, Any]) -> None:
        """Add another worker's counters to these (a copy made for one scrape)."""
        for family in self.families():
            for labels, value in snapshot.get(family.name, ()) if family.kind == "counter" else ():
                try:
                    named = {str(k): str(v) for k, v in labels}
                    if not all(_LABEL.fullmatch(k) for k in named):
                        continue  # label values are escaped when rendered; names cannot be
                    family.add(float(value), **named)
                except (TypeError, ValueError):
                    continue  # a torn or foreign file: the scrape shows what it can

    def copy(self) -> Counters:
        twin = Counters()
        for mine, theirs in zip(self.families(), twin.families(), strict=True):
            theirs.values = dict(mine.values)
        return twin


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)
