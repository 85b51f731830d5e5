"""Page queries straight against the fixture store: outcomes, buckets, breakdowns, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.queries import health, overview, review, shadow
from dashboard.queries.source import open_views, store_version
from dashboard.queries.timerange import TimeRange, bucket_unit
from dashboard.review.store import ReviewState, ReviewStore
from tests.dashboard.fixture_store import (
    BLOCKED_ID,
    OLD_ALLOWED,
    RECENT_REQUESTS,
    SECRET_ID,
    FixtureStore,
)


def _day() -> TimeRange:
    # Taken when the test runs, not at import: a test worker may run it minutes after
    # importing the module, when the fixture store's newest events are newer than that.
    return TimeRange.last(timedelta(days=1))


def test_outcomes_over_time_add_up_to_the_requests(store: FixtureStore):
    with open_views(store.data_dir) as con:
        unit, series = overview.timeseries(con, _day())
    assert unit == "hour"
    by_outcome = series.groupby("outcome")["requests"].sum().to_dict()
    assert by_outcome == {"allowed": 30, "blocked": 2, "redacted": 1, "coached": 1, "flagged": 1}
    assert sum(by_outcome.values()) == RECENT_REQUESTS


def test_bucket_follows_the_window(store: FixtureStore):
    now = datetime.now(UTC)
    with open_views(store.data_dir) as con:
        assert bucket_unit(con, TimeRange.last(timedelta(hours=1), now)) == "minute"
        assert bucket_unit(con, TimeRange.last(timedelta(days=7), now)) == "day"
        assert bucket_unit(con, TimeRange()) == "hour"  # the data spans three days


def test_breakdowns_cover_every_dimension(store: FixtureStore):
    with open_views(store.data_dir) as con:
        frame = overview.breakdowns(con, TimeRange())
    totals = frame.groupby("dimension")["requests"].sum().to_dict()
    everything = RECENT_REQUESTS + OLD_ALLOWED
    assert totals["provider"] == totals["app"] == totals["model"] == totals["user"] == everything
    staff = frame[(frame["dimension"] == "group") & (frame["key"] == "staff")]
    assert int(staff["requests"].iloc[0]) == everything


def test_breakdown_outcomes_add_up_to_the_requests_as_on_the_time_chart(store: FixtureStore):
    """A coached or flagged request was counted as allowed by the breakdown chart."""
    with open_views(store.data_dir) as con:
        frame = overview.breakdowns(con, TimeRange())
    outcomes = ["allowed", "flagged", "redacted", "coached", "blocked"]
    assert (frame[outcomes].sum(axis=1) == frame["requests"]).all()
    users = frame[frame["dimension"] == "user"][outcomes].sum().to_dict()
    assert users == {
        "allowed": 30 + OLD_ALLOWED,
        "flagged": 1,
        "redacted": 1,
        "coached": 1,
        "blocked": 2,
    }


def test_review_state_joins_and_filters(store: FixtureStore):
    ReviewStore.for_data_dir(store.data_dir).record(BLOCKED_ID, ReviewState.REVIEWED, "a", "x")
    with open_views(store.data_dir) as con:
        reviewed = review.queue(con, _day(), review.ReviewFilter(states=("reviewed",)))
        still_open = review.queue_size(con, _day(), review.ReviewFilter(states=("open",)))
        secrets = review.queue(con, _day(), review.ReviewFilter(finding_types=("OPENAI_API_KEY",)))
    assert list(reviewed["id"]) == [BLOCKED_ID]
    assert reviewed["reviewed_by"].iloc[0] == "a"
    assert still_open == 4
    assert list(secrets["id"]) == [SECRET_ID]


def test_store_version_changes_with_a_review(store: FixtureStore):
    before = store_version(store.data_dir)
    ReviewStore.for_data_dir(store.data_dir).record(BLOCKED_ID, ReviewState.REVIEWED, "a", "x")
    assert store_version(store.data_dir) != before


def test_visits_and_events_per_minute(store: FixtureStore):
    with open_views(store.data_dir) as con:
        apps = shadow.apps_seen(con, TimeRange()).set_index("app")
        per_minute = health.events_per_minute(con)
        latest = health.latest_event(con)
    assert apps.loc["character-ai", "visits"] == 1
    assert len(per_minute) == 60
    assert per_minute["events"].sum() == RECENT_REQUESTS + 1  # the visit too
    assert latest["events"] == RECENT_REQUESTS + OLD_ALLOWED + 1


def test_a_missing_store_reads_as_empty(tmp_path):
    with open_views(tmp_path / "nothing") as con:
        assert overview.headline(con, TimeRange())["requests"] == 0
        assert con.execute("SELECT count(*) FROM alerts").fetchone() == (0,)
