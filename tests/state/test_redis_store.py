"""Counters and passes in a real Redis: atomic, windowed, shared between clients."""

from __future__ import annotations

import multiprocessing
import time

import pytest
import redis

from tests.support.redis_server import RedisServer, redis_server
from warden.state.failover import FailoverCounters, StoreHealth, Unreachable
from warden.state.redis_settings import RedisSettings
from warden.state.redis_store import RedisCounters, RedisPasses, StateUnreachable, connect

__all__ = ["redis_server"]

WINDOW_START = 1_700_000_000.0


def _client(url: str) -> redis.Redis:
    return connect(RedisSettings.parse(url, environ={}))


def _add_many(url: str, times: int, end: float) -> None:
    counters = RedisCounters(_client(url), "race")
    for _ in range(times):
        counters.add("q:user:alice:requests", WINDOW_START, 1, end)


def test_adds_from_four_processes_at_once_lose_no_increment(redis_server: RedisServer) -> None:
    """4 processes x 50 adds on one key: exactly 200."""
    end = time.time() + 600
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_add_many, args=(redis_server.url, 50, end)) for _ in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    counters = RedisCounters(_client(redis_server.url), "race")
    assert counters.get("q:user:alice:requests", WINDOW_START) == 200


def test_a_negative_add_gives_a_reservation_back(redis_server: RedisServer) -> None:
    counters = RedisCounters(_client(redis_server.url))
    end = time.time() + 60
    assert counters.add("q:user:bob:tokens", WINDOW_START, 120, end) == 120
    assert counters.add("q:user:bob:tokens", WINDOW_START, -120, end) == 0
    assert counters.add("q:user:bob:usd", WINDOW_START, 0.25, end) == pytest.approx(0.25)
    assert counters.get("q:user:nobody:tokens", WINDOW_START) == 0


def test_a_window_key_expires_at_the_windows_end_and_keeps_the_later_end(
    redis_server: RedisServer,
) -> None:
    client = _client(redis_server.url)
    counters = RedisCounters(client, "ttl")
    end = time.time() + 30
    counters.add("q:all:requests", WINDOW_START, 1, end)
    key = counters.key("q:all:requests", WINDOW_START)
    assert key == f"warden:ttl:counter:q:all:requests:{int(WINDOW_START)}"
    assert client.pexpiretime(key) == int(end * 1000)
    # An add naming an earlier end (a give-back computed late) does not shorten the window.
    counters.add("q:all:requests", WINDOW_START, 1, end - 20)
    assert client.pexpiretime(key) == int(end * 1000)
    counters.add("q:all:requests", WINDOW_START, 1, end + 10)
    assert client.pexpiretime(key) == int((end + 10) * 1000)
    # A window that has ended is gone.
    counters.add("q:short:requests", WINDOW_START, 1, time.time() + 0.2)
    time.sleep(0.4)
    assert counters.get("q:short:requests", WINDOW_START) == 0


def test_a_pass_granted_through_one_instance_holds_in_another(redis_server: RedisServer) -> None:
    granting = RedisPasses(_client(redis_server.url), "fleet")
    reading = RedisPasses(_client(redis_server.url), "fleet")
    ends = time.time() + 60
    granting.grant("alice", "chatgpt-web", "coach:uploads", ends)
    assert reading.expires("alice", "chatgpt-web", "coach:uploads") == pytest.approx(ends)
    assert reading.expires("bob", "chatgpt-web", "coach:uploads") is None
    # Another namespace (another deployment on the same server) does not see it.
    assert (
        RedisPasses(_client(redis_server.url), "other").expires(
            "alice", "chatgpt-web", "coach:uploads"
        )
        is None
    )


def test_a_pass_ends_when_granted_for(redis_server: RedisServer) -> None:
    passes = RedisPasses(_client(redis_server.url))
    passes.grant("alice", "claude-web", "r", time.time() + 0.2)
    time.sleep(0.4)
    assert passes.expires("alice", "claude-web", "r") is None


def test_a_stopped_server_is_reported_quickly_and_recovery_is_seen(
    redis_server: RedisServer,
) -> None:
    counters = RedisCounters(_client(redis_server.url))
    health = StoreHealth("redis://127.0.0.1", Unreachable.REFUSE, retry_after_s=0)
    shared = FailoverCounters(counters, health)
    end = time.time() + 60
    shared.add("k", WINDOW_START, 1, end)
    redis_server.stop()
    started = time.monotonic()
    with pytest.raises(StateUnreachable):
        shared.add("k", WINDOW_START, 1, end)
    assert time.monotonic() - started < 1.5
    assert health.problem() == "unreachable, refusing requests that need it"
    redis_server.start()
    assert health.probe(counters)
    assert health.problem() is None
    assert shared.add("k", WINDOW_START, 1, end) == 1  # no persistence: a fresh server


def test_local_mode_counts_in_memory_while_the_server_is_down(redis_server: RedisServer) -> None:
    health = StoreHealth("redis://127.0.0.1", Unreachable.LOCAL, retry_after_s=60)
    shared = FailoverCounters(RedisCounters(_client(redis_server.url)), health)
    end = time.time() + 60
    assert shared.add("k", WINDOW_START, 5, end) == 5
    redis_server.stop()
    assert shared.add("k", WINDOW_START, 1, end) == 1
    assert shared.add("k", WINDOW_START, 1, end) == 2
    assert health.problem() == "unreachable, counting locally"
