"""Admin requests through the state database: each taken once, answered, withdrawable."""

from __future__ import annotations

import threading

import pytest

from warden.state.db import StateDB
from warden.state.requests import SqliteAdminRequests
from warden.store.requests import AdminRequest, RequestTimeout, ask


def test_a_request_is_taken_once_and_its_answer_reaches_the_asker(tmp_path):
    asker = SqliteAdminRequests(StateDB.for_data_dir(tmp_path))
    writer = SqliteAdminRequests(StateDB.for_data_dir(tmp_path))
    taken: list[AdminRequest] = []

    def serve() -> None:
        while not taken:
            taken.extend(writer.take())
        assert writer.take() == []  # handed out once
        writer.answer(taken[0].id, {"ok": True, "events_removed": 3})

    thread = threading.Thread(target=serve)
    thread.start()
    answer = ask(asker, AdminRequest("purge_user", "sam", {"user": "alice"}), timeout_s=10)
    thread.join(5)
    assert answer == {"ok": True, "events_removed": 3}
    assert taken[0].action == "purge_user" and taken[0].params == {"user": "alice"}


def test_an_unanswered_request_is_withdrawn_at_the_timeout(tmp_path):
    requests = SqliteAdminRequests(StateDB.for_data_dir(tmp_path))
    with pytest.raises(RequestTimeout):
        ask(requests, AdminRequest("purge_user", "sam", {"user": "alice"}), timeout_s=0.3)
    assert requests.take() == []  # nobody carries it out later
