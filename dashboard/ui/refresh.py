"""Pages re-run their data parts on a timer, as a fragment, so controls keep their state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

__all__ = ["INTERVALS", "auto_refresh", "refresh_picker"]

INTERVALS = {"Off": 0, "10 s": 10, "30 s": 30, "1 min": 60, "5 min": 300}
_CHOICE = "refresh.choice"  # survives page changes; the widget's own key does not


def _label_for(seconds: int) -> str:
    exact = next((label for label, s in INTERVALS.items() if s == seconds), None)
    if exact is not None:
        return exact
    label = f"{seconds} s"  # an interval given on the command line that is not in the list
    INTERVALS[label] = seconds
    return label


def refresh_picker(default_s: int) -> None:
    choice = st.session_state.setdefault(_CHOICE, _label_for(default_s))
    labels = list(INTERVALS)
    st.selectbox(
        "Refresh every",
        labels,
        index=labels.index(choice) if choice in labels else 0,
        key="refresh.label",
        on_change=lambda: st.session_state.update({_CHOICE: st.session_state["refresh.label"]}),
    )


def interval_s() -> int:
    return INTERVALS.get(str(st.session_state.get(_CHOICE)), 0)


def auto_refresh(render: Callable[[], None]) -> None:
    """Run `render` now and again every chosen interval (only that part of the page)."""
    every = interval_s() or None

    def body() -> None:
        render()
        st.caption(
            f"Updated {datetime.now(UTC):%H:%M:%S} UTC" + (f", every {every} s" if every else "")
        )

    body.__qualname__ = f"refresh_{render.__qualname__}"  # one fragment per page body
    st.fragment(run_every=every)(body)()
