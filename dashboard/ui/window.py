"""The time window picker in the sidebar, shared by the pages that look at a period.

The choice lives in its own session key (not the widget's), so it survives moving between
pages, which each draw their own picker.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from dashboard.queries.timerange import PRESETS, TimeRange

__all__ = ["CUSTOM", "DEFAULT_PRESET", "current_window", "window_picker"]

CUSTOM = "Custom dates"
DEFAULT_PRESET = "Last 24 hours"
OPTIONS = [*PRESETS, CUSTOM]
_CHOICE, _DATES = "window.choice", "window.range"


def _keep(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def window_picker() -> None:
    choice = st.session_state.setdefault(_CHOICE, DEFAULT_PRESET)
    st.selectbox(
        "Time range",
        OPTIONS,
        index=OPTIONS.index(choice) if choice in OPTIONS else 0,
        key="window.preset",
        on_change=_keep,
        args=("window.preset", _CHOICE),
    )
    if choice == CUSTOM:
        today = datetime.now(UTC).date()
        dates = st.session_state.setdefault(_DATES, (today - timedelta(days=7), today))
        st.date_input(
            "From / to (UTC)",
            value=dates,
            key="window.dates",
            on_change=_keep,
            args=("window.dates", _DATES),
        )


def current_window() -> tuple[str, TimeRange]:
    """(label, window) as the picker has it."""
    preset = st.session_state.get(_CHOICE, DEFAULT_PRESET)
    if preset == CUSTOM:
        dates = st.session_state.get(_DATES) or ()
        if isinstance(dates, tuple | list) and len(dates) == 2:
            start, end = dates
            label = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
            return label, TimeRange(_midnight(start), _midnight(end) + timedelta(days=1))
        preset = DEFAULT_PRESET
    return preset.lower(), TimeRange.last(PRESETS.get(preset, PRESETS[DEFAULT_PRESET]))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())
