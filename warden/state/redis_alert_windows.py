"""Alert throttle windows in Redis (the AlertWindows of warden/alerts/windows.py), for a fleet.

Each window is one hash, `warden:{namespace}:alert-window:{quoted dedupe key}`, holding the
alert's first document and its count; an index (a sorted set by window end,
`warden:{namespace}:alert-windows`) lets `expire` find the ended ones. Every call is one Lua
script, so it is atomic across instances: exactly one instance opens a window (and delivers
its alert), every repeat adds one to the count, and exactly one instance takes an ended
window for its summary. A window's hash expires GRACE_S after the window ends, so keys do not
outlive their windows when no instance is left to close them.

Any failure to reach the server is raised as WindowsUnreachable: FallbackWindows then counts
in the instance's own memory (the alerts are marked), so no alert is lost to an outage.
Times are the caller's clock (epoch seconds), as for the state database.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import redis

from warden.alerts.alert import Alert
from warden.alerts.windows import Outcome, WindowsUnreachable
from warden.state.redis_store import UNREACHABLE_ERRORS

__all__ = ["GRACE_S", "RedisAlertWindows"]

GRACE_S = 3600.0  # an ended window waits this long for an instance to send its summary
EXPIRE_BATCH = 500  # ended windows closed per call

# KEYS: window, index. ARGV: now, id, document, user, window_ends, summary, score, event id,
# key expiry (ms).
_OCCUR = """
local now = tonumber(ARGV[1])
local ended = {}
local ends = redis.call('HGET', KEYS[1], 'window_ends')
if ends then
  if tonumber(ends) > now then
    redis.call('HINCRBY', KEYS[1], 'count', 1)
    redis.call('HINCRBY', KEYS[1], 'rev', 1)
    if tonumber(ARGV[7]) > tonumber(redis.call('HGET', KEYS[1], 'score')) then
      redis.call('HSET', KEYS[1], 'score', ARGV[7])
    end
    if now > tonumber(redis.call('HGET', KEYS[1], 'last_seen')) then
      redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
    end
    if ARGV[8] ~= '' then
      redis.call('HSET', KEYS[1], 'last_event_id', ARGV[8])
    end
    return {0, redis.call('HGETALL', KEYS[1]), ended}
  end
  ended = redis.call('HGETALL', KEYS[1])
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'id', ARGV[2], 'document', ARGV[3], 'user', ARGV[4],
  'window_ends', ARGV[5], 'summary', ARGV[6], 'count', 1, 'rev', 1, 'last_seen', ARGV[1],
  'score', ARGV[7], 'last_event_id', ARGV[8])
redis.call('PEXPIREAT', KEYS[1], ARGV[9])
redis.call('ZADD', KEYS[2], ARGV[5], KEYS[1])
return {1, {}, ended}
"""

# KEYS: index. ARGV: now, batch size. Returns the closed windows' hashes.
_EXPIRE = """
local now = tonumber(ARGV[1])
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, key in ipairs(keys) do
  redis.call('ZREM', KEYS[1], key)
  local ends = redis.call('HGET', key, 'window_ends')
  if ends and tonumber(ends) <= now then
    table.insert(out, redis.call('HGETALL', key))
    redis.call('DEL', key)
  end
end
return out
"""

# KEYS: index. ARGV: user. Returns how many windows were closed.
_FORGET = """
local closed = 0
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local user = redis.call('HGET', key, 'user')
  if not user then
    redis.call('ZREM', KEYS[1], key)
  elseif user == ARGV[1] then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], key)
    closed = closed + 1
  end
end
return closed
"""


class RedisAlertWindows:
    def __init__(self, client: redis.Redis, namespace: str = "default") -> None:
        self._client = client
        self._prefix = f"warden:{namespace}:alert-window:"
        self._index = f"warden:{namespace}:alert-windows"
        self._occur = client.register_script(_OCCUR)
        self._expire = client.register_script(_EXPIRE)
        self._forget = client.register_script(_FORGET)

    def key(self, dedupe_key: str) -> str:
        return self._prefix + urllib.parse.quote(dedupe_key, safe="")

    def occur(self, opening: Alert, summary: bool, now: float) -> Outcome:
        args = [
            repr(float(now)),
            opening.id,
            json.dumps(opening.to_dict(), separators=(",", ":"), allow_nan=False, default=str),
            opening.subject.user,
            repr(float(opening.window_ends)),
            "1" if summary else "0",
            repr(float(opening.score)),
            opening.last_event_id or "",
            int((opening.window_ends + GRACE_S) * 1000),
        ]
        try:
            new, current, ended = self._occur(  # type: ignore[misc]
                keys=[self.key(opening.dedupe_key), self._index], args=args
            )
        except UNREACHABLE_ERRORS as e:
            raise _unreachable(e) from e
        if not new:
            return Outcome(_alert(current)[0], new=False)
        summarise = None
        if ended:
            previous, summary = _alert(ended)
            summarise = previous if summary and previous.count > 1 else None
        return Outcome(opening.snapshot(), new=True, ended=summarise)

    def expire(self, now: float) -> list[Alert]:
        try:
            closed = self._expire(keys=[self._index], args=[repr(float(now)), EXPIRE_BATCH])
        except UNREACHABLE_ERRORS as e:
            raise _unreachable(e) from e
        out = []
        for fields in closed:  # type: ignore[union-attr]
            alert, summary = _alert(fields)
            if summary and alert.count > 1:
                out.append(alert)
        return out

    def forget_user(self, user: str) -> int:
        try:
            return int(self._forget(keys=[self._index], args=[user]))  # type: ignore[arg-type]
        except UNREACHABLE_ERRORS as e:
            raise _unreachable(e) from e

    def open_count(self) -> int:
        try:
            return int(self._client.zcard(self._index))  # type: ignore[arg-type]
        except UNREACHABLE_ERRORS as e:
            raise _unreachable(e) from e


def _unreachable(error: Exception) -> WindowsUnreachable:
    # The class name only: a fixed wording keeps every log line about the store equally safe.
    return WindowsUnreachable(f"shared state store unreachable ({type(error).__name__})")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _alert(flat: list[Any]) -> tuple[Alert, bool]:
    """A window's hash (HGETALL's flat list) as its alert with the counts as they stand, and
    whether its end is to be summarised."""
    fields = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
    alert = Alert.from_dict(json.loads(fields["document"]))
    alert.count = int(fields["count"])
    alert.rev = int(fields["rev"])
    alert.last_seen = float(fields["last_seen"])
    alert.score = float(fields["score"])
    alert.last_event_id = fields.get("last_event_id") or None
    alert.window_ends = float(fields["window_ends"])
    return alert, fields.get("summary") == "1"
