"""BodyBudget: reservations under one cap, given back exactly once however a request ends."""

from __future__ import annotations

from warden.body_budget import BodyBudget


def test_reservations_fit_under_the_cap_and_one_past_it_is_refused() -> None:
    budget = BodyBudget(1000)
    assert budget.reserve("a", 600)
    assert budget.reserve("b", 400)
    assert not budget.reserve("c", 1)
    assert (budget.in_use, budget.holders()) == (1000, 2)


def test_a_refused_reservation_keeps_what_it_held() -> None:
    budget = BodyBudget(1000)
    assert budget.reserve("a", 600)
    assert budget.reserve("b", 300)
    assert not budget.reserve("b", 500)  # growing past the cap
    assert budget.held("b") == 300
    assert budget.in_use == 900


def test_a_request_alone_is_admitted_past_the_cap() -> None:
    budget = BodyBudget(1000)
    assert budget.reserve("big", 5000)
    assert not budget.reserve("next", 1)
    assert budget.reserve("big", 6000)  # still alone


def test_reserve_only_grows_and_settle_sets_the_real_size() -> None:
    budget = BodyBudget(1000)
    budget.reserve("a", 500)
    assert budget.reserve("a", 100)
    assert budget.held("a") == 500
    budget.settle("a", 120)
    assert budget.in_use == 120
    budget.settle("a", 2000)  # already in memory: counted, even past the cap
    assert budget.in_use == 2000


def test_release_is_idempotent_and_returns_to_zero() -> None:
    budget = BodyBudget(1000)
    budget.reserve("a", 300)
    budget.reserve("b", 200)
    assert budget.release("a") == 300
    assert budget.release("a") == 0
    assert budget.release("never") == 0
    budget.release("b")
    assert (budget.in_use, budget.holders()) == (0, 0)


def test_cap_zero_counts_without_refusing() -> None:
    budget = BodyBudget(0)
    assert budget.reserve("a", 10**9)
    assert budget.reserve("b", 10**9)
    assert budget.in_use == 2 * 10**9


def test_one_sender_holds_at_most_a_quarter_and_others_still_get_in() -> None:
    budget = BodyBudget(1000)
    assert budget.reserve("a1", 200, "mallory")
    assert not budget.reserve("a2", 100, "mallory")  # 300 > a quarter of the cap
    assert budget.reserve("b1", 600, "alice")  # alone for alice: fits under the cap
    budget.release("a1")
    assert budget.reserve("a2", 100, "mallory")
    assert budget.release("a2") == 100 and budget.in_use == 600


def test_a_senders_single_request_is_admitted_past_its_share() -> None:
    budget = BodyBudget(1000)
    assert budget.reserve("a1", 900, "mallory")  # their first: only the total cap applies
    assert not budget.reserve("a2", 1, "mallory")
