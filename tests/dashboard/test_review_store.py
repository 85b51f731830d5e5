"""The review trail: every action a new row with who and when; the latest state wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.review.store import ReviewState, ReviewStore, reviews_path


def test_actions_are_kept_in_order_and_the_latest_state_wins(tmp_path: Path):
    store = ReviewStore.for_data_dir(tmp_path)
    store.record("ev-1", ReviewState.REVIEWED, "ann", "analyst", "fine")
    store.record("ev-1", ReviewState.OPEN, "bob", "admin", "look again")
    store.record("ev-1", ReviewState.ESCALATED, "ann", "analyst", details={"alert_id": "a1"})
    store.record("ev-1", "allowlist_added", "bob", "admin", details={"preview": "x...y"})
    store.record("ev-2", ReviewState.FALSE_POSITIVE, "ann", "analyst")
    history = store.history("ev-1")
    assert [a.action for a in history] == ["reviewed", "open", "escalated", "allowlist_added"]
    assert [a.who for a in history] == ["ann", "bob", "ann", "bob"]
    assert history[2].details == {"alert_id": "a1"}
    assert all(a.at > 0 for a in history)
    current = {event: (state, who) for event, state, who, _, _ in store.current()}
    # allowlist_added is a note in the trail, not a state
    assert current == {"ev-1": ("escalated", "ann"), "ev-2": ("false_positive", "ann")}
    assert store.version() == 5


def test_an_action_needs_a_person_and_a_known_name(tmp_path: Path):
    store = ReviewStore.for_data_dir(tmp_path)
    with pytest.raises(ValueError, match="who did it"):
        store.record("ev-1", ReviewState.REVIEWED, "  ", "analyst")
    with pytest.raises(ValueError, match="unknown review action"):
        store.record("ev-1", "deleted", "ann", "analyst")


def test_reading_never_creates_the_file(tmp_path: Path):
    store = ReviewStore.for_data_dir(tmp_path)
    assert store.current() == [] and store.history("x") == [] and store.version() == 0
    assert not reviews_path(tmp_path).exists()
    assert not (tmp_path / "dashboard").exists()


def test_two_store_objects_share_the_file(tmp_path: Path):
    ReviewStore.for_data_dir(tmp_path).record("ev-1", ReviewState.REVIEWED, "ann", "analyst")
    assert ReviewStore.for_data_dir(tmp_path).current()[0][:3] == ("ev-1", "reviewed", "ann")
