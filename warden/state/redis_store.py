"""Quota counters and coaching passes in Redis, shared by every Warden instance of a fleet.

The CounterStore of warden/policy/counters.py and the PassStore of warden/policy/coaching.py,
on one Redis server. A counter add is one Lua script (INCRBYFLOAT, then PEXPIREAT to the end
of the window unless the key already lives longer), so two instances adding to one user's
window at once never lose an increment and a window's key disappears when it ends. A pass is
one key whose value and expiry are the time the pass ends.

Keys are `warden:{namespace}:counter:{counter}:{window start}` and
`warden:{namespace}:pass:{user}:{app}:{rule}`: quota ids, user, group, app and rule names,
never a prompt. Any failure to reach the server is raised as StateUnreachable; the caller
(warden/state/failover.py) decides whether to refuse or to count locally.
"""

from __future__ import annotations

import urllib.parse

import redis

from warden.state.redis_settings import RedisSettings

__all__ = ["UNREACHABLE_ERRORS", "RedisCounters", "RedisPasses", "StateUnreachable", "connect"]


class StateUnreachable(Exception):
    """The shared state store did not answer (down, unreachable, timed out, refused login)."""


# PTTL and TIME rather than PEXPIRETIME or PEXPIREAT GT, so Redis 6.2 servers work too.
_ADD_SCRIPT = """
local total = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
local wanted = tonumber(ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
local keep = false
if ttl >= 0 then
  local now = redis.call('TIME')
  local ends = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl
  keep = ends >= wanted
end
if not keep then
  redis.call('PEXPIREAT', KEYS[1], wanted)
end
return total
"""

# What the client raises when the server cannot be used; anything else is a bug to surface.
UNREACHABLE_ERRORS = _UNREACHABLE = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.AuthenticationError,
    redis.exceptions.BusyLoadingError,
    OSError,
)


def connect(settings: RedisSettings) -> redis.Redis:
    """A client with short timeouts; connects lazily, so this never waits on the server."""
    return redis.Redis.from_url(settings.url, **settings.client_kwargs())  # type: ignore[arg-type]


def _unreachable(error: Exception) -> StateUnreachable:
    # The class name only: redis' messages can quote the address, never the password, but a
    # fixed wording keeps every log line about the store equally safe.
    return StateUnreachable(f"shared state store unreachable ({type(error).__name__})")


def _ms(epoch_seconds: float) -> int:
    return int(epoch_seconds * 1000)


def _window(start: float) -> str:
    return str(int(start)) if float(start).is_integer() else repr(float(start))


class RedisCounters:
    def __init__(self, client: redis.Redis, namespace: str = "default") -> None:
        self._client = client
        self._prefix = f"warden:{namespace}:counter:"
        self._add = client.register_script(_ADD_SCRIPT)

    def key(self, counter: str, window_start: float) -> str:
        return f"{self._prefix}{counter}:{_window(window_start)}"

    def get(self, key: str, window_start: float) -> float:
        try:
            value = self._client.get(self.key(key, window_start))
        except _UNREACHABLE as e:
            raise _unreachable(e) from e
        return float(value) if value is not None else 0.0  # type: ignore[arg-type]

    def add(self, key: str, window_start: float, amount: float, expires_at: float) -> float:
        try:
            total = self._add(
                keys=[self.key(key, window_start)], args=[repr(float(amount)), _ms(expires_at)]
            )
        except _UNREACHABLE as e:
            raise _unreachable(e) from e
        return float(total)  # type: ignore[arg-type]

    def ping(self) -> None:
        try:
            self._client.ping()
        except _UNREACHABLE as e:
            raise _unreachable(e) from e


class RedisPasses:
    def __init__(self, client: redis.Redis, namespace: str = "default") -> None:
        self._client = client
        self._prefix = f"warden:{namespace}:pass:"

    def key(self, user: str, app: str, rule_id: str) -> str:
        # Quoted, so a ':' in a user or rule name cannot make two passes share a key.
        return self._prefix + ":".join(urllib.parse.quote(p, safe="") for p in (user, app, rule_id))

    def expires(self, user: str, app: str, rule_id: str) -> float | None:
        try:
            value = self._client.get(self.key(user, app, rule_id))
        except _UNREACHABLE as e:
            raise _unreachable(e) from e
        return float(value) if value is not None else None  # type: ignore[arg-type]

    def grant(self, user: str, app: str, rule_id: str, expires: float) -> None:
        try:
            self._client.set(self.key(user, app, rule_id), repr(float(expires)), pxat=_ms(expires))
        except _UNREACHABLE as e:
            raise _unreachable(e) from e
