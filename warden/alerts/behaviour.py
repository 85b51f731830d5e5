"""Behaviour over time: repeated blocked attempts, token or cost spikes against a user's own
baseline, a new AI app seen in the organisation, a burst of secrets from a user or device.

State is in memory, bounded (least recently seen users are forgotten first) and driven by an
injected clock, so tests can move time. Known apps are also kept on disk (KnownApps) so a
restart does not make every app "new" again. Called from one thread (the event loop).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from warden.alerts.config import BehaviourSettings, CountWindow
from warden.alerts.severity import Severity
from warden.alerts.signal import Reason, Signal, Subject

__all__ = ["BehaviourTracker", "KnownApps"]

log = logging.getLogger("warden.alerts")


class _Bounded[V](OrderedDict[str, V]):
    """An LRU map: touching a key keeps it; past `limit` keys the stalest goes."""

    def __init__(self, limit: int, factory: Callable[[], V]) -> None:
        super().__init__()
        self.limit = limit
        self.factory = factory

    def touch(self, key: str) -> V:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = self.factory()
        if len(self) > self.limit:
            self.popitem(last=False)
        return value


class _Windows:
    """How many events each key had within the last `window` seconds."""

    def __init__(self, spec: CountWindow, limit: int) -> None:
        self.spec = spec
        # Keep a few times the threshold: enough to report "12 in 10 minutes".
        self._times = _Bounded[deque[float]](limit, lambda: deque(maxlen=spec.count * 10))

    def add(self, key: str, now: float) -> int:
        times = self._times.touch(key)
        times.append(now)
        horizon = now - self.spec.window_s
        while times and times[0] <= horizon:
            times.popleft()
        return len(times)

    def forget(self, key: str) -> None:
        self._times.pop(key, None)


@dataclass(slots=True)
class _Baseline:
    mean: float = 0.0
    samples: int = 0

    def is_spike(self, value: float, factor: float, floor: float, min_samples: int) -> bool:
        return self.samples >= min_samples and value >= floor and value >= factor * self.mean

    def update(self, value: float, alpha: float, factor: float) -> None:
        if self.samples == 0:
            self.mean = value
        else:
            # Clip what one request may add, so a single spike does not become the new normal.
            clipped = min(value, factor * self.mean) if self.mean > 0 else value
            self.mean = alpha * clipped + (1 - alpha) * self.mean
        self.samples += 1


class KnownApps:
    """AI apps the organisation has used, with when each was first seen; kept in a JSON file."""

    def __init__(self, path: Path | None, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.since = clock()
        self.apps: dict[str, float] = {}
        self.dirty = False
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.since = float(data["since"])
                self.apps = {str(k): float(v) for k, v in data["apps"].items()}
            except (OSError, ValueError, KeyError, TypeError) as e:
                log.error("ignoring unreadable %s (%s); apps will be learned again", path, e)
        else:
            self.dirty = True  # record `since`, which starts the learning period

    def add(self, app: str, now: float) -> bool:
        """True the first time `app` is seen."""
        if app in self.apps:
            return False
        self.apps[app] = now
        self.dirty = True
        return True

    def save(self) -> None:
        """Write the file (atomically); call off the event loop."""
        if self.path is None or not self.dirty:
            return
        self.dirty = False
        data = {"since": self.since, "apps": dict(self.apps)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A name of this process's own: several Warden processes share the data directory,
        # and one renaming a shared temporary name away made the other's rename fail.
        tmp = self.path.with_name(f"{self.path.stem}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


class BehaviourTracker:
    def __init__(
        self,
        settings: BehaviourSettings,
        clock: Callable[[], float] = time.time,
        known_apps: KnownApps | None = None,
    ) -> None:
        self._clock = clock
        self.known_apps = known_apps or KnownApps(None, clock)
        self.configure(settings)

    def configure(self, settings: BehaviourSettings) -> None:
        old = getattr(self, "settings", None)
        self.settings = settings
        if old is not None and old == settings:
            return
        # Window sizes changed: start counting afresh rather than mix two definitions.
        self._blocks = _Windows(settings.repeated_blocks, settings.max_tracked)
        self._secrets = _Windows(settings.secret_burst, settings.max_tracked)
        self._tokens = _Bounded[_Baseline](settings.max_tracked, _Baseline)
        self._cost = _Bounded[_Baseline](settings.max_tracked, _Baseline)

    def on_request(self, subject: Subject, *, blocked: bool, secrets: int) -> list[Signal]:
        now = self._clock()
        out = []
        if blocked:
            spec = self.settings.repeated_blocks
            n = self._blocks.add(subject.user, now)
            if n >= spec.count:
                out.append(
                    Signal(
                        "repeated_blocks",
                        min(1.0, 0.5 + 0.5 * (n - spec.count) / spec.count),
                        Severity.MEDIUM,
                        (Reason("repeated_blocks", f"{n} blocked requests in {spec.window}"),),
                        title="Repeated blocked attempts",
                        metrics={"blocked": n},
                    )
                )
        if secrets:
            spec = self.settings.secret_burst
            by_user = self._secrets.add(f"user:{subject.user}", now)
            device = subject.device or subject.client_ip
            by_device = self._secrets.add(f"device:{device}", now) if device else 0
            n, who = max((by_user, "user"), (by_device, "device"))
            if n >= spec.count:
                out.append(
                    Signal(
                        "secret_burst",
                        min(1.0, 0.6 + 0.4 * (n - spec.count) / spec.count),
                        Severity.HIGH,
                        (
                            Reason(
                                "secret_burst",
                                f"{n} requests with credentials from one {who} in {spec.window}",
                            ),
                        ),
                        title="Burst of credentials sent to AI services",
                        metrics={"requests_with_secrets": n},
                    )
                )
        return out

    def forget_user(self, user: str) -> None:
        """Drop what is kept about `user` (a privacy purge): their block and credential counts
        and their usage baselines. Counts kept per device stay: they name no person."""
        self._blocks.forget(user)
        self._secrets.forget(f"user:{user}")
        self._tokens.pop(user, None)
        self._cost.pop(user, None)

    def on_app(self, subject: Subject) -> Signal | None:
        spec = self.settings.new_app
        if not spec.enabled or not subject.app:
            return None
        now = self._clock()
        if not self.known_apps.add(subject.app, now):
            return None
        if now - self.known_apps.since < spec.learning_s:
            return None  # still learning what the organisation already uses
        name = subject.app_name or subject.app
        return Signal(
            "new_app",
            1.0,
            Severity.MEDIUM,
            (Reason("new_app", f"first use of {name} in the organisation"),),
            title=f"New AI app seen: {name}",
        )

    def on_usage(self, subject: Subject, tokens: int, cost_usd: float | None) -> list[Signal]:
        spec = self.settings.usage_spike
        out = []
        checks: list[tuple[str, _Baseline, float, float]] = [
            ("tokens", self._tokens.touch(subject.user), float(tokens), float(spec.min_tokens)),
        ]
        if cost_usd is not None:
            checks.append(("cost_usd", self._cost.touch(subject.user), cost_usd, spec.min_cost_usd))
        for what, baseline, value, floor in checks:
            if baseline.is_spike(value, spec.factor, floor, spec.min_samples):
                ratio = value / baseline.mean if baseline.mean > 0 else float("inf")
                shown = f"{value:.2f} USD" if what == "cost_usd" else f"{int(value)} tokens"
                usual = f"{baseline.mean:.2f} USD" if what == "cost_usd" else f"{baseline.mean:.0f}"
                out.append(
                    Signal(
                        "usage_spike",
                        min(1.0, 0.5 + ratio / (4 * spec.factor)),
                        Severity.MEDIUM,
                        (
                            Reason(
                                f"{what}_spike",
                                f"{shown} in one request, {ratio:.1f}x the user's usual {usual}",
                            ),
                        ),
                        title="Usage spike against the user's own baseline",
                        metrics={
                            what: round(value, 4),
                            f"baseline_{what}": round(baseline.mean, 4),
                        },
                    )
                )
            baseline.update(value, spec.alpha, spec.factor)
        return out
