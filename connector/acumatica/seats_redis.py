"""Licence seats in Redis, shared by every process on every machine (see ``seats``).

One sorted set per instance: member = holder, score = when its lease ends, on Redis's own clock
(``TIME``), so machines need not agree on the time; a second one holds the urgent waiters, score
= when their note ends. Taking a seat is one Lua script: two
processes cannot both take the last one. Django-free: give it a ``redis.Redis``.
"""

from __future__ import annotations

from .seats import URGENT_NOTE, SeatPool

# KEYS: seats, urgent waiters. ARGV: seats allowed, lease seconds, holder, "1" when urgent,
# urgent note seconds. Returns "0" when the holder has its seat (taken or renewed), else the
# seconds until the first lease ends (capped at 1).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
local free = redis.call('ZSCORE', KEYS[1], ARGV[3])
if not free then
  if ARGV[4] == '1' then
    free = held < tonumber(ARGV[1])
  else
    free = held + redis.call('ZCARD', KEYS[2]) < tonumber(ARGV[1])
  end
end
if free then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(lease) + 60)
  redis.call('ZREM', KEYS[2], ARGV[3])
  return '0'
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[3])
  redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[5])) + 60)
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if not first[2] then
  return '0.2'
end
return tostring(math.min(1, tonumber(first[2]) - now))
"""

# KEYS: seats. ARGV: lease seconds, holder. Only an existing lease is extended.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) + 60)
return 1
"""


class RedisSeats(SeatPool):
    def __init__(self, redis, *, prefix: str = "connector:acumatica") -> None:
        self._redis = redis
        self._prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._renew = redis.register_script(_RENEW)

    def _key(self, instance_key: str) -> str:
        return f"{self._prefix}:{instance_key}:seats"

    def take(
        self, instance_key: str, holder: str, *, seats: int, lease: float, urgent: bool = False
    ) -> float:
        keys = [self._key(instance_key), f"{self._prefix}:{instance_key}:urgent"]
        args = [seats, lease, holder, "1" if urgent else "0", URGENT_NOTE]
        return float(self._take(keys=keys, args=args))

    def renew(self, instance_key: str, holder: str, *, lease: float) -> None:
        self._renew(keys=[self._key(instance_key)], args=[lease, holder])

    def give_back(self, instance_key: str, holder: str) -> None:
        self._redis.zrem(self._key(instance_key), holder)

    def held(self, instance_key: str) -> int:
        seconds, micros = self._redis.time()
        now = seconds + micros / 1_000_000
        return int(self._redis.zcount(self._key(instance_key), now, "+inf"))
