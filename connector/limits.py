"""The Acumatica request limiter this deployment shares between its processes.

With ``REDIS_URL`` set, every process on every machine shares one budget per Acumatica
instance through Redis (``connector.acumatica.shared_limiter``); without it (the embedded
default: web and worker on one machine) the processes share a SQLite file under
``CONNECTOR_VAR_DIR`` (``connector.acumatica.file_limiter``). One limiter per process, made on
first use.
"""

from __future__ import annotations

import threading

import redis
from django.conf import settings

from connector.acumatica import Limiter
from connector.acumatica.file_limiter import FileLimiter
from connector.acumatica.shared_limiter import RedisLimiter

_lock = threading.Lock()
_limiter: Limiter | None = None


def shared_limiter() -> Limiter:
    global _limiter
    with _lock:
        if _limiter is None:
            _limiter = _make()
        return _limiter


def _make() -> Limiter:
    # A slot outlives any request: connect plus read timeout, and a margin.
    ttl = float(settings.ACUMATICA_CONNECT_TIMEOUT) + float(settings.ACUMATICA_READ_TIMEOUT) + 30
    if settings.REDIS_URL:
        return RedisLimiter(redis.Redis.from_url(settings.REDIS_URL), slot_ttl=ttl)
    path = settings.VAR_DIR / "acumatica-limits.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLimiter(path, slot_ttl=ttl)
