"""Rule conditions compiled once per policy load into small predicate objects.

Each condition answers `holds(ctx)` fast (the proxy's path) and `why_not(ctx)` in words
(the trace that `warden policy test` prints).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import UTC, datetime
from fnmatch import translate
from operator import attrgetter
from zoneinfo import ZoneInfo

from warden.dlp.entities import expand_entities
from warden.policy.context import PolicyContext
from warden.policy.model import DlpMatch, Match, SizeRange, TimeWindow

__all__ = ["Condition", "compile_match", "compile_predicate"]


class Condition:
    name = "condition"

    def holds(self, ctx: PolicyContext) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def expr(self, var: str) -> tuple[str, object]:
        """A Python expression over context `c` with the same truth as holds(), and the value
        to bind to `var` in it. Rules become one compiled lambda each (see compile_rule)."""
        return f"{var}(c)", self.holds

    def why_not(self, ctx: PolicyContext) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class _InSet(Condition):
    """A context field must be one of the listed values."""

    def __init__(self, name: str, values: list[str], field: str, fold: bool = False) -> None:
        self.name = name
        self.fold = fold
        self.values = frozenset(v.lower() for v in values) if fold else frozenset(values)
        self.field = field
        self.get: Callable[[PolicyContext], str | None] = attrgetter(field)

    def holds(self, ctx: PolicyContext) -> bool:
        value = self.get(ctx)
        if value is not None and self.fold:
            value = value.lower()
        return value in self.values

    def expr(self, var: str) -> tuple[str, object]:
        if self.fold:
            return f"(c.{self.field} or '').lower() in {var}", self.values
        return f"c.{self.field} in {var}", self.values

    def why_not(self, ctx: PolicyContext) -> str:
        return f"{self.name} {self.get(ctx)!r} is not one of {sorted(self.values)}"


class _Groups(Condition):
    name = "groups"

    def __init__(self, groups: list[str]) -> None:
        self.groups = frozenset(groups)

    def expr(self, var: str) -> tuple[str, object]:
        return f"not {var}.isdisjoint(c.groups)", self.groups

    def holds(self, ctx: PolicyContext) -> bool:
        return not self.groups.isdisjoint(ctx.groups)

    def why_not(self, ctx: PolicyContext) -> str:
        return f"groups {list(ctx.groups)} share none of {sorted(self.groups)}"


class _Glob(Condition):
    """Case-insensitive globs, compiled into one regex."""

    def __init__(self, name: str, patterns: list[str], field: str) -> None:
        self.name = name
        self.patterns = patterns
        self.regex = re.compile("|".join(translate(p.lower()) for p in patterns))
        self.field = field
        self.get: Callable[[PolicyContext], str | None] = attrgetter(field)

    def holds(self, ctx: PolicyContext) -> bool:
        value = self.get(ctx)
        return value is not None and self.regex.match(value.lower()) is not None

    def expr(self, var: str) -> tuple[str, object]:
        return (
            f"c.{self.field} is not None and {var}(c.{self.field}.lower()) is not None",
            self.regex.match,
        )

    def why_not(self, ctx: PolicyContext) -> str:
        return f"{self.name} {self.get(ctx)!r} matches none of {self.patterns}"


class _SourceNetwork(Condition):
    name = "source_cidrs"

    def __init__(self, cidrs: list[str]) -> None:
        self.cidrs = cidrs
        self.networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]

    def holds(self, ctx: PolicyContext) -> bool:
        if not ctx.client_ip:
            return False
        try:
            addr = ipaddress.ip_address(ctx.client_ip.removeprefix("::ffff:"))
        except ValueError:
            return False
        return any(addr.version == n.version and addr in n for n in self.networks)

    def why_not(self, ctx: PolicyContext) -> str:
        return f"source {ctx.client_ip!r} is in none of {self.cidrs}"


class _Time(Condition):
    name = "time"

    def __init__(self, window: TimeWindow, default_zone: str) -> None:
        self.window = window
        self.zone = ZoneInfo(window.timezone or default_zone)
        self.days = frozenset(
            ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(d) for d in window.days
        )
        self.start, self.end = window.minutes()

    def holds(self, ctx: PolicyContext) -> bool:
        local = (ctx.now or datetime.now(UTC)).astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        if self.start <= self.end:
            return local.weekday() in self.days and self.start <= minute < self.end
        # Spans midnight: the part after midnight belongs to the day the window started.
        if minute >= self.start:
            return local.weekday() in self.days
        return minute < self.end and (local.weekday() - 1) % 7 in self.days

    def why_not(self, ctx: PolicyContext) -> str:
        local = (ctx.now or datetime.now(UTC)).astimezone(self.zone)
        w = self.window
        return f"{local:%a %H:%M} {self.zone.key} is outside {','.join(w.days)} {w.from_}-{w.to}"


class _Range(Condition):
    def __init__(self, name: str, size: SizeRange, get: Callable[[PolicyContext], int | None]):
        self.name = name
        self.min = size.min
        self.max = size.max
        self.get = get

    def holds(self, ctx: PolicyContext) -> bool:
        value = self.get(ctx)
        if value is None:
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def why_not(self, ctx: PolicyContext) -> str:
        return f"{self.name} {self.get(ctx)} is outside [{self.min}, {self.max}]"


class _Attachments(Condition):
    name = "attachments"

    def __init__(self, present: bool) -> None:
        self.present = present

    def holds(self, ctx: PolicyContext) -> bool:
        return (ctx.attachments > 0) is self.present

    def why_not(self, ctx: PolicyContext) -> str:
        return f"request has {ctx.attachments} attachment(s)"


class _Dlp(Condition):
    name = "dlp"

    def __init__(self, match: DlpMatch) -> None:
        # ALL also covers entity types a future recognizer adds.
        self.any_type = any(name.upper() == "ALL" for name in match.entities)
        self.entities = expand_entities(match.entities)
        self.min_score = match.min_score
        self.min_count = match.min_count

    def count(self, ctx: PolicyContext) -> int:
        return sum(
            1
            for f in ctx.findings
            if (self.any_type or f.entity_type in self.entities) and f.score >= self.min_score
        )

    def holds(self, ctx: PolicyContext) -> bool:
        return bool(ctx.findings) and self.count(ctx) >= self.min_count

    def why_not(self, ctx: PolicyContext) -> str:
        return (
            f"{self.count(ctx)} finding(s) of these types scored >= {self.min_score}, "
            f"need {self.min_count}"
        )


def compile_match(match: Match, default_zone: str) -> list[Condition]:
    """The conditions of one rule, cheapest and most selective first."""
    conditions: list[Condition] = []
    if match.apps:
        conditions.append(_InSet("app", match.apps, "app"))
    if match.kinds:
        conditions.append(_InSet("kind", match.kinds, "kind"))
    if match.categories:
        conditions.append(_InSet("category", match.categories, "category"))
    if match.risk:
        conditions.append(_InSet("risk", [r.value for r in match.risk], "risk"))
    if match.providers:
        conditions.append(_InSet("provider", match.providers, "vendor", fold=True))
    if match.endpoints:
        conditions.append(_InSet("endpoint", match.endpoints, "endpoint"))
    if match.sanctioned:
        conditions.append(_InSet("sanctioned", [s.value for s in match.sanctioned], "sanctioned"))
    if match.users:
        conditions.append(_InSet("user", match.users, "user"))
    if match.groups:
        conditions.append(_Groups(match.groups))
    if match.models:
        conditions.append(_Glob("model", match.models, "model"))
    if match.hosts:
        conditions.append(_Glob("host", match.hosts, "host"))
    if match.attachments is not None:
        conditions.append(_Attachments(match.attachments))
    if match.prompt_bytes is not None:
        conditions.append(_Range("prompt_bytes", match.prompt_bytes, lambda c: c.prompt_bytes))
    if match.prompt_tokens is not None:
        conditions.append(_Range("prompt_tokens", match.prompt_tokens, lambda c: c.prompt_tokens))
    if match.source_cidrs:
        conditions.append(_SourceNetwork(match.source_cidrs))
    if match.time is not None:
        conditions.append(_Time(match.time, default_zone))
    if match.dlp is not None:
        conditions.append(_Dlp(match.dlp))
    return conditions


def compile_predicate(conditions: list[Condition]) -> Callable[[PolicyContext], bool]:
    """One lambda for a whole rule: a function call per rule instead of one per condition,
    which keeps a 200-rule policy well under the 50 us budget. Only internal field names
    and bound values go into the expression, never text from the policy file."""
    if not conditions:
        return lambda c: True
    namespace: dict[str, object] = {}
    parts = []
    for i, condition in enumerate(conditions):
        code, value = condition.expr(f"v{i}")
        namespace[f"v{i}"] = value
        parts.append(f"({code})")
    return eval("lambda c: " + " and ".join(parts), namespace)
