"""Where alerts live: the interface, and how an alert's state is changed.

The one-machine backend is the state database (warden/state/alerts.py: SQLite in WAL mode,
shared by the proxy, the dashboard and `warden alerts ...`); a fleet puts Redis behind the
same calls. Events link to alerts through their `alert_ids` column, and alerts to events
through first_event_id / last_event_id.

Earlier versions kept alerts in JSON lines under <data dir>/alerts/; those files are
imported once, on first open, by warden/state/migration.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from warden.alerts.alert import Alert, AlertState, StateChange

__all__ = ["AlertStore", "AlertView", "UnknownAlert", "change_state"]


class UnknownAlert(KeyError):
    """No alert with that id."""


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert as the dashboard shows it: its latest snapshot, state and deliveries."""

    alert: dict[str, Any]
    state: AlertState = AlertState.OPEN
    state_by: str | None = None
    state_at: float | None = None
    state_note: str = ""
    history: tuple[dict[str, Any], ...] = ()  # every state change, oldest first
    deliveries: tuple[dict[str, Any], ...] = field(default=())  # latest per sink and kind

    @property
    def id(self) -> str:
        return str(self.alert["id"])

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.alert,
            "state": self.state.value,
            "state_by": self.state_by,
            "state_at": self.state_at,
            "state_note": self.state_note,
            "history": list(self.history),
            "deliveries": list(self.deliveries),
        }


class AlertStore(Protocol):
    def record_alerts(self, alerts: Iterable[Alert]) -> None:
        """Keep each alert's highest revision."""
        ...

    def record_state(self, change: StateChange) -> None: ...

    def alerts(self, state: AlertState | None = None, limit: int | None = None) -> list[AlertView]:
        """Newest (last seen) first."""
        ...

    def get(self, alert_id: str) -> AlertView | None: ...

    def purge_user(self, user: str) -> int:
        """Remove every alert about `user` with its states and deliveries; how many went."""
        ...

    def remove_before(self, cutoff: float) -> int:
        """Retention: remove alerts last seen before `cutoff` (epoch seconds)."""
        ...


def change_state(
    store: AlertStore, alert_id: str, state: AlertState, who: str, note: str = ""
) -> StateChange:
    """Acknowledge, resolve or reopen an alert; `who` is required so the record says who."""
    if not who.strip():
        raise ValueError("say who is changing the alert's state")
    if store.get(alert_id) is None:
        raise UnknownAlert(alert_id)
    change = StateChange(alert_id, state, who.strip(), note.strip())
    store.record_state(change)
    return change
