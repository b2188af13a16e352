"""A small fixed-window request limiter on the Django cache, for public pages (the hand-off
link's page): ``hit`` counts one request under each key and says whether any key is over its
limit. Keys are hashed, so no token or address is kept in the cache in clear."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

PREFIX = "connector-ratelimit"


def _cache_key(scope: str, key: str, window: int, now: float) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{PREFIX}:{scope}:{digest}:{int(now // window)}"


def hit(*, limits: dict[str, tuple[str, int]], window: int, now: float | None = None) -> bool:
    """Count one request for each ``scope: (key, limit)``; True when every count is within
    its limit. Every scope is counted even when an earlier one is over, so that a client
    cannot spare its own count by tripping another."""
    now = time.time() if now is None else now
    allowed = True
    for scope, (key, limit) in limits.items():
        name = _cache_key(scope, key, window, now)
        # add() is a no-op when the key exists; incr() is atomic on the cache backends that
        # share counts between processes (Redis, Memcached) and within one process (locmem).
        cache.add(name, 0, timeout=window + 1)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=window + 1)
            count = 1
        if count > limit:
            allowed = False
    return allowed
