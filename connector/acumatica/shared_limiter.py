"""One request budget per Acumatica instance for every process: the limiter in Redis.

:class:`InProcessLimiter` keeps its counts in one process; with several workers each would let
the licence's full budget through. :class:`RedisLimiter` keeps them in Redis, keyed by instance
(``ConnectionSettings.instance_key``), so every client of every process on every machine shares:

* **slots**: a sorted set of the requests in flight, each with an expiry (``slot_ttl``, longer
  than any request can last): a worker killed mid-request frees its slot when that passes;
* **the per-minute budget**: a sorted set of the send times of the last 60 s; a request is only
  let through while fewer than the licence's requests per minute were sent;
* **the pause** a 429's ``Retry-After`` asks for, for everyone;
* **the circuit breaker**: transient failures in a row, the time it stays open, and one trial
  call (taken with ``SET NX``) when the cool-down is over.

Taking a slot is one Lua script run on Redis's own clock (``TIME``), so two processes cannot
both take the last slot and machines need not agree on the time. Waiting is polling with
jitter, never longer than the time the script says. Django-free: give it a ``redis.Redis``.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from .errors import CircuitOpen, Throttled
from .limiter import InstanceLimits, Limiter, Outcome

# KEYS: slots, sent, pause. ARGV: max concurrent (0 = none), per minute (0 = none), slot ttl,
# token. Returns "0" when the slot is taken, else the seconds to wait (as text: Lua numbers
# come back from Redis as integers).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local max_concurrent = tonumber(ARGV[1])
local per_minute = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return tostring(paused - now) end
if max_concurrent > 0 and redis.call('ZCARD', KEYS[1]) >= max_concurrent then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(math.min(0.05, tonumber(first[2]) - now))
end
if per_minute > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60)
  if redis.call('ZCARD', KEYS[2]) >= per_minute then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return tostring(math.max(tonumber(oldest[2]) + 60 - now, 0.001))
  end
  redis.call('ZADD', KEYS[2], now, ARGV[4])
  redis.call('EXPIRE', KEYS[2], 120)
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(ttl) + 60)
return '0'
"""

# KEYS: pause. ARGV: seconds. The pause only ever grows.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > paused then
  redis.call('SET', KEYS[1], tostring(until_), 'EX', math.ceil(tonumber(ARGV[1])) + 1)
end
return tostring(math.max(until_, paused))
"""


class RedisLimiter(Limiter):
    def __init__(
        self,
        redis,
        *,
        default: InstanceLimits | None = None,
        prefix: str = "connector:acumatica",
        slot_ttl: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._redis = redis
        self._default = default or InstanceLimits()
        self._limits: dict[str, InstanceLimits] = {}
        self._prefix = prefix
        self._slot_ttl = slot_ttl
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)

    def set_limits(self, instance_key: str, limits: InstanceLimits) -> None:
        self._limits[instance_key] = limits

    def limits_for(self, instance_key: str) -> InstanceLimits:
        return self._limits.get(instance_key, self._default)

    def _key(self, instance_key: str, part: str) -> str:
        return f"{self._prefix}:{instance_key}:{part}"

    def acquire(self, instance_key: str) -> AbstractContextManager[None]:
        return self._slot(instance_key)

    @contextmanager
    def _slot(self, instance_key: str) -> Iterator[None]:
        limits = self.limits_for(instance_key)
        trial = self._check_breaker(instance_key, limits)
        token = uuid.uuid4().hex
        keys = [self._key(instance_key, p) for p in ("slots", "sent", "pause")]
        args = [limits.max_concurrent or 0, limits.requests_per_minute or 0, self._slot_ttl, token]
        deadline = time.monotonic() + limits.max_wait
        try:
            while True:
                wait = float(self._take(keys=keys, args=args))
                if wait <= 0:
                    break
                if time.monotonic() + wait > deadline:
                    raise Throttled(
                        f"No request slot for this Acumatica instance within {limits.max_wait:g}s",
                        retry_after=wait,
                    )
                # Never all at the same instant: a little jitter on every wait.
                self._sleep(min(wait, 1.0) * (1 + 0.25 * self._rng.random()))
        except BaseException:
            if trial:
                self._redis.delete(self._key(instance_key, "trial"))
            raise
        try:
            yield
        finally:
            self._redis.zrem(keys[0], token)
            if trial:
                self._redis.delete(self._key(instance_key, "trial"))

    def _check_breaker(self, instance_key: str, limits: InstanceLimits) -> bool:
        """Raise while open; True when this call is the half-open trial."""
        if not limits.failure_threshold:
            return False
        failures = int(self._redis.get(self._key(instance_key, "failures")) or 0)
        if failures < limits.failure_threshold:
            return False
        remaining = float(self._redis.get(self._key(instance_key, "open_until")) or 0) - self._now()
        if remaining <= 0 and self._redis.set(
            self._key(instance_key, "trial"), "1", nx=True, ex=max(int(limits.cooldown), 1)
        ):
            return True
        raise CircuitOpen(
            f"Acumatica instance failed {failures} times in a row; "
            f"calls paused for {max(remaining, 0):.0f}s",
            retry_after=max(remaining, 1.0),
        )

    def report(
        self, instance_key: str, outcome: Outcome, *, retry_after: float | None = None
    ) -> None:
        limits = self.limits_for(instance_key)
        if outcome is Outcome.RATE_LIMITED:
            if retry_after:
                self._pause(keys=[self._key(instance_key, "pause")], args=[retry_after])
        elif outcome is Outcome.FAILURE:
            failures = self._redis.incr(self._key(instance_key, "failures"))
            self._redis.expire(self._key(instance_key, "failures"), 3600)
            if limits.failure_threshold and failures >= limits.failure_threshold:
                self._redis.set(
                    self._key(instance_key, "open_until"),
                    str(self._now() + limits.cooldown),
                    ex=int(limits.cooldown) + 3600,
                )
        else:
            self._redis.delete(
                self._key(instance_key, "failures"), self._key(instance_key, "open_until")
            )

    def in_flight(self, instance_key: str) -> int:
        """Requests holding a slot now, in every process (expired slots not counted)."""
        return int(self._redis.zcount(self._key(instance_key, "slots"), self._now(), "+inf"))

    def _now(self) -> float:
        seconds, micros = self._redis.time()
        return seconds + micros / 1_000_000
